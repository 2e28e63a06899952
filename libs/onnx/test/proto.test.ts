import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSession, encodeModel, ProtoWriter, tensor } from '../src/index.js';

const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

test("varints follow protobuf encoding, negatives as 10-byte two's complement", () => {
  const enc = (v: number) => {
    const w = new ProtoWriter();
    w.varint(v);
    return [...w.finish()];
  };
  assert.deepEqual(enc(1), [1]);
  assert.deepEqual(enc(300), [0xac, 0x02]);
  assert.deepEqual(enc(-1), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(enc(2 ** 40), [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
});

test('fields carry their tag and length prefix', () => {
  const w = new ProtoWriter();
  w.string(4, 'Add');
  w.int(2, 7);
  assert.deepEqual([...w.finish()], [0x22, 3, 0x41, 0x64, 0x64, 0x10, 7]);
});

test('an encoded model with symbolic dims and a raw_data initializer runs in ORT', async (t) => {
  const model = encodeModel({
    graphName: 'add',
    opsets: { '': 18 },
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 3] }],
    initializers: [{ name: 'b', dtype: 'float32', dims: [3], raw: f32([10, 20, 30]) }],
    nodes: [{ opType: 'Add', inputs: ['x', 'b'], outputs: ['y'] }],
  });
  const s = await createSession(model);
  t.after(() => s.release());
  assert.deepEqual(s.inputNames, ['x']);
  const r = await s.run({ x: tensor('float32', [1, 2, 3, 4, 5, 6], [2, 3]) });
  assert.deepEqual([...(r.y!.data as Float32Array)], [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(r.y!.dims, [2, 3]);
});

test('int, ints, float, string and tensor attributes are encoded as ORT expects', async (t) => {
  const model = encodeModel({
    graphName: 'attrs',
    opsets: { '': 18 },
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
    outputs: [
      { name: 't', dtype: 'float32', shape: [3, 2] },
      { name: 'l', dtype: 'float32', shape: [2, 3] },
      { name: 'z', dtype: 'float32', shape: [2, 3] },
      { name: 's', dtype: 'float32', shape: [2, 3] },
      { name: 'c', dtype: 'float32', shape: [2] },
    ],
    initializers: [
      { name: 'idx', dtype: 'int64', dims: [1, 1], raw: new Uint8Array(BigInt64Array.from([2n]).buffer) },
      { name: 'upd', dtype: 'float32', dims: [1, 1], raw: f32([5]) },
      { name: 'shape', dtype: 'int64', dims: [1], raw: new Uint8Array(BigInt64Array.from([2n]).buffer) },
    ],
    nodes: [
      {
        opType: 'Transpose',
        inputs: ['x'],
        outputs: ['t'],
        attrs: { perm: { kind: 'ints', value: [1, 0] } },
      },
      { opType: 'LeakyRelu', inputs: ['x'], outputs: ['l'], attrs: { alpha: { kind: 'float', value: 0.5 } } },
      { opType: 'Softmax', inputs: ['x'], outputs: ['z'], attrs: { axis: { kind: 'int', value: -1 } } },
      {
        opType: 'ScatterElements',
        inputs: ['x', 'idx', 'upd'],
        outputs: ['s'],
        attrs: { axis: { kind: 'int', value: 1 }, reduction: { kind: 'string', value: 'add' } },
      },
      {
        opType: 'ConstantOfShape',
        inputs: ['shape'],
        outputs: ['c'],
        attrs: {
          value: { kind: 'tensor', value: { name: 'v', dtype: 'float32', dims: [1], raw: f32([7]) } },
        },
      },
    ],
  });
  const s = await createSession(model);
  t.after(() => s.release());
  const r = await s.run({ x: tensor('float32', [1, -2, 3, -4, 5, -6], [2, 3]) });
  assert.deepEqual([...(r.t!.data as Float32Array)], [1, -4, -2, 5, 3, -6]);
  assert.deepEqual([...(r.l!.data as Float32Array)], [1, -1, 3, -2, 5, -3]);
  const z = r.z!.data as Float32Array;
  assert.ok(Math.abs(z[0]! + z[1]! + z[2]! - 1) < 1e-6);
  assert.deepEqual([...(r.s!.data as Float32Array)], [1, -2, 8, -4, 5, -6]);
  assert.deepEqual([...(r.c!.data as Float32Array)], [7, 7]);
});
