import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createSession,
  disposeTensor,
  encodeModel,
  isDeviceTensor,
  nodePlacement,
  offProvider,
  tensor,
  toFloat64,
  WEBGPU_PROVIDER,
  webgpuStartError,
} from '../src/index.js';
import { needWebgpu } from './webgpu-helpers.js';

const negate = encodeModel({
  graphName: 'neg',
  opsets: { '': 18 },
  inputs: [{ name: 'x', dtype: 'float32', shape: ['n'] }],
  outputs: [
    { name: 'y', dtype: 'float32', shape: ['n'] },
    { name: 'z', dtype: 'float32', shape: ['n'] },
  ],
  nodes: [
    { opType: 'Neg', inputs: ['x'], outputs: ['y'] },
    { opType: 'Abs', inputs: ['x'], outputs: ['z'] },
  ],
});

test('device outputs stay on the GPU, feed the next run and read back through download()', async (t) => {
  if (!(await needWebgpu(t))) return;
  const s = await createSession(negate, { executionProvider: 'webgpu', deviceOutputs: ['y'] });
  t.after(() => s.release());
  const first = await s.run({ x: tensor('float32', [1, -2, 3], [3]) });
  assert.ok(isDeviceTensor(first.y!), 'y is a gpu-buffer tensor');
  assert.ok(!isDeviceTensor(first.z!), 'z (not listed) comes back to the host');
  assert.deepEqual([...toFloat64(first.z!)], [1, 2, 3]);
  const second = await s.run({ x: first.y! });
  const host = await s.download(second);
  assert.deepEqual([...toFloat64(host.y!)], [1, -2, 3]);
  disposeTensor(first.y);
  disposeTensor(second.y);
});

test('deviceOutputs naming no output of the model fails with the field', async (t) => {
  if (!(await needWebgpu(t))) return;
  await assert.rejects(
    createSession(negate, { executionProvider: 'webgpu', deviceOutputs: ['nope'] }),
    (e: Error & { code?: string; field?: string }) =>
      e.code === 'GRPO_ONNX_BAD_OPTION' && e.field === 'deviceOutputs' && /nope/.test(e.message),
  );
});

test('node placement lists every node on the WebGPU provider for plain float ops', async (t) => {
  if (!(await needWebgpu(t))) return;
  const nodes = await nodePlacement(
    negate,
    { x: tensor('float32', [1, 2], [2]) },
    { executionProvider: 'webgpu' },
  );
  assert.deepEqual(nodes.map((n) => n.opType).sort(), ['Abs', 'Neg']);
  assert.deepEqual(offProvider(nodes, WEBGPU_PROVIDER), {});
});

test('a missing adapter becomes GRPO_ONNX_EP_UNAVAILABLE naming what to install', () => {
  const e = webgpuStartError(new Error('Failed to get a WebGPU adapter: No supported adapters'));
  assert.equal(e.code, 'GRPO_ONNX_EP_UNAVAILABLE');
  assert.equal(e.field, 'executionProvider');
  assert.match(e.message, /no WebGPU adapter/);
  assert.match(e.message, /libvulkan1/);
  assert.match(e.message, /lavapipe/);
});
