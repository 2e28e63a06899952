import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSession, encodeModel, item, scalar, tensor, toFloat64, zeros } from '../src/index.js';

type Coded = Error & { code?: string; field?: string };
const coded = (code: string, field?: string) => (e: Coded) =>
  e.code === code && (field === undefined || e.field === field);

const identity = encodeModel({
  graphName: 'id',
  opsets: { '': 18 },
  inputs: [{ name: 'x', dtype: 'float64', shape: ['n'] }],
  outputs: [{ name: 'y', dtype: 'float64', shape: ['n'] }],
  nodes: [{ opType: 'Neg', inputs: ['x'], outputs: ['y'] }],
});

test('the cuda provider fails with GRPO_ONNX_EP_UNAVAILABLE naming the install switch', async () => {
  await assert.rejects(createSession(identity, { executionProvider: 'cuda' }), (e: Coded) => {
    return (
      coded('GRPO_ONNX_EP_UNAVAILABLE', 'executionProvider')(e) &&
      /ONNXRUNTIME_NODE_INSTALL=cuda12/.test(e.message) &&
      /CUDA 13/.test(e.message) &&
      /LD_LIBRARY_PATH/.test(e.message)
    );
  });
});

test('webgpu either starts or fails with GRPO_ONNX_EP_UNAVAILABLE', async () => {
  try {
    const s = await createSession(identity, { executionProvider: 'webgpu' });
    assert.equal(s.executionProvider, 'webgpu');
    await s.release();
  } catch (e) {
    assert.ok(coded('GRPO_ONNX_EP_UNAVAILABLE', 'executionProvider')(e as Coded), String(e));
  }
});

test('unknown providers and bad thread counts are rejected with the option name', async () => {
  await assert.rejects(
    createSession(identity, { executionProvider: 'tpu' as 'cpu' }),
    coded('GRPO_ONNX_BAD_OPTION', 'executionProvider'),
  );
  await assert.rejects(
    createSession(identity, { intraOpNumThreads: 0 }),
    coded('GRPO_ONNX_BAD_OPTION', 'intraOpNumThreads'),
  );
});

test('bytes that are not a model fail with GRPO_ONNX_BAD_MODEL', async () => {
  await assert.rejects(createSession(new Uint8Array([1, 2, 3, 4])), coded('GRPO_ONNX_BAD_MODEL', 'model'));
});

test('a run with a missing feed fails with GRPO_ONNX_RUN_FAILED', async (t) => {
  const s = await createSession(identity, { intraOpNumThreads: 1 });
  t.after(() => s.release());
  await assert.rejects(s.run({}), coded('GRPO_ONNX_RUN_FAILED'));
  const r = await s.run({ x: tensor('float64', [1, -2], [2]) });
  assert.deepEqual([...toFloat64(r.y!)], [-1, 2]);
});

test('tensor helpers check element counts and array types', () => {
  assert.throws(
    () => tensor('float32', [1, 2, 3], [2, 2], 'feeds.x'),
    coded('GRPO_ONNX_BAD_TENSOR', 'feeds.x'),
  );
  assert.throws(
    () => tensor('float32', new Float64Array(4) as unknown as Float32Array, [2, 2]),
    coded('GRPO_ONNX_BAD_TENSOR'),
  );
  assert.throws(() => tensor('float32', [], [-1]), coded('GRPO_ONNX_BAD_TENSOR'));
  assert.equal(item(scalar('int64', 7)), 7);
  assert.deepEqual(zeros('float32', [0, 3]).dims, [0, 3]);
  assert.deepEqual([...(tensor('int64', [3, 4], [2]).data as BigInt64Array)], [3n, 4n]);
});

test('a session whose idle threads sleep (allowSpinning: false) computes the same outputs', async (t) => {
  const spinning = await createSession(identity, { intraOpNumThreads: 2 });
  const sleeping = await createSession(identity, { intraOpNumThreads: 2, allowSpinning: false });
  t.after(() => Promise.all([spinning.release(), sleeping.release()]));
  const x = tensor(
    'float64',
    Float64Array.from({ length: 4096 }, (_, i) => Math.sin(i)),
    [4096],
  );
  const a = toFloat64((await spinning.run({ x })).y!);
  const b = toFloat64((await sleeping.run({ x })).y!);
  assert.deepEqual([...b], [...a]);
  assert.equal(b[1], -Math.sin(1));
});
