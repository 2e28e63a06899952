import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  BAD_SAFETENSORS,
  INDEX_FILE,
  loadWeights,
  type ModelError,
  readSafetensors,
  saveWeights,
  type TensorMap,
  writeSafetensors,
} from '../src/index.js';
import { tmpDir } from './helpers.js';

/** A safetensors file assembled byte by byte, independent of the writer. */
function handMade(header: Record<string, unknown>, data: Buffer): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

test('F16, BF16, F32, I64 and I32 tensors of a hand-made file decode to exact values', async (t) => {
  const dir = await tmpDir(t);
  const data = Buffer.alloc(6 + 6 + 8 + 8 + 4);
  // F16: 1.0, -2.0, smallest subnormal 2^-24
  data.writeUInt16LE(0x3c00, 0);
  data.writeUInt16LE(0xc000, 2);
  data.writeUInt16LE(0x0001, 4);
  // BF16: 1.0, -2.0, 0.5
  data.writeUInt16LE(0x3f80, 6);
  data.writeUInt16LE(0xc000, 8);
  data.writeUInt16LE(0x3f00, 10);
  data.writeFloatLE(1.5, 12);
  data.writeFloatLE(-0.25, 16);
  data.writeBigInt64LE(-7n, 20);
  data.writeInt32LE(123456, 28);
  const file = path.join(dir, 'a.safetensors');
  await fs.writeFile(
    file,
    handMade(
      {
        __metadata__: { format: 'pt' },
        h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
        b: { dtype: 'BF16', shape: [1, 3], data_offsets: [6, 12] },
        f: { dtype: 'F32', shape: [2], data_offsets: [12, 20] },
        l: { dtype: 'I64', shape: [], data_offsets: [20, 28] },
        i: { dtype: 'I32', shape: [1], data_offsets: [28, 32] },
      },
      data,
    ),
  );
  const m = await readSafetensors(file);
  assert.deepEqual([...(m.get('h')?.data as Float32Array)], [1, -2, 2 ** -24]);
  assert.deepEqual([...(m.get('b')?.data as Float32Array)], [1, -2, 0.5]);
  assert.deepEqual(m.get('b')?.shape, [1, 3]);
  assert.deepEqual([...(m.get('f')?.data as Float32Array)], [1.5, -0.25]);
  assert.deepEqual([...(m.get('l')?.data as BigInt64Array)], [-7n]);
  assert.deepEqual([...(m.get('i')?.data as Int32Array)], [123456]);
});

test('written files have an 8-byte aligned header with format pt metadata', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'w.safetensors');
  await writeSafetensors(file, new Map([['x', { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]]));
  const buf = await fs.readFile(file);
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  assert.deepEqual(header.__metadata__, { format: 'pt' });
  assert.deepEqual(header.x, { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
  assert.equal(buf.length, 8 + n + 16);
});

test('BF16 and F16 writes round to nearest even and read back', async (t) => {
  const dir = await tmpDir(t);
  // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even gives 1.
  // 1 + 3*2^-8 is halfway too: ties to even gives 1 + 2^-6.
  const vals = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -3.140625, 65504, 1e-8]);
  for (const dtype of ['BF16', 'F16'] as const) {
    const file = path.join(dir, `${dtype}.safetensors`);
    await writeSafetensors(file, new Map([['v', { shape: [5], data: vals }]]), { dtype });
    const back = [...((await readSafetensors(file)).get('v')?.data as Float32Array)];
    if (dtype === 'BF16') assert.deepEqual(back.slice(0, 3), [1, 1 + 2 ** -6, -3.140625]);
    else
      assert.deepEqual(back, [
        1 + 2 ** -8,
        1 + 3 * 2 ** -8,
        -3.140625,
        65504,
        2 ** -24 * Math.round(1e-8 / 2 ** -24),
      ]);
  }
});

test('a checkpoint above maxShardBytes is split into shards with an index and loads back', async (t) => {
  const dir = await tmpDir(t);
  const tensors: TensorMap = new Map();
  for (let i = 0; i < 5; i++)
    tensors.set(`w${i}`, { shape: [10], data: Float32Array.from({ length: 10 }, (_, j) => i * 10 + j) });
  const files = await saveWeights(dir, tensors, { maxShardBytes: 100 });
  assert.deepEqual(files, [
    'model-00001-of-00003.safetensors',
    'model-00002-of-00003.safetensors',
    'model-00003-of-00003.safetensors',
    INDEX_FILE,
  ]);
  const index = JSON.parse(await fs.readFile(path.join(dir, INDEX_FILE), 'utf8'));
  assert.equal(index.metadata.total_size, 200);
  assert.equal(index.weight_map.w4, 'model-00003-of-00003.safetensors');
  const back = await loadWeights(dir);
  assert.equal(back.size, 5);
  assert.deepEqual(
    [...(back.get('w3')?.data as Float32Array)],
    Array.from({ length: 10 }, (_, j) => 30 + j),
  );
});

test('saving unsharded after a sharded save removes the old shards', async (t) => {
  const dir = await tmpDir(t);
  const tensors: TensorMap = new Map([
    ['a', { shape: [20], data: new Float32Array(20) }],
    ['b', { shape: [20], data: new Float32Array(20) }],
  ]);
  await saveWeights(dir, tensors, { maxShardBytes: 80 });
  await saveWeights(dir, tensors);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['model.safetensors']);
});

test('a header whose offsets disagree with the shape is rejected naming the tensor', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'bad.safetensors');
  await fs.writeFile(
    file,
    handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)),
  );
  await assert.rejects(
    readSafetensors(file),
    (e: ModelError) => e.code === BAD_SAFETENSORS && e.field === 'bad.safetensors:x',
  );
});

test('a header length past the end of the file is rejected', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'trunc.safetensors');
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(1000n);
  await fs.writeFile(file, b);
  await assert.rejects(
    readSafetensors(file),
    (e: ModelError) => e.code === BAD_SAFETENSORS && /header length 1000/.test(e.message),
  );
});

test('an unsupported dtype is rejected with the list of supported ones', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'u8.safetensors');
  await fs.writeFile(
    file,
    handMade({ x: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)),
  );
  await assert.rejects(
    readSafetensors(file),
    /unsupported dtype U8; supported: F64, F32, F16, BF16, I64, I32/,
  );
});

test('overlapping tensors are rejected', async (t) => {
  const dir = await tmpDir(t);
  const file = path.join(dir, 'ov.safetensors');
  await fs.writeFile(
    file,
    handMade(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      Buffer.alloc(12),
    ),
  );
  await assert.rejects(readSafetensors(file), /overlaps/);
});

test('a folder without weights reports the missing file', async (t) => {
  const dir = await tmpDir(t);
  await assert.rejects(loadWeights(dir), (e: ModelError) => e.code === 'GRPO_MODEL_MISSING_FILE');
});
