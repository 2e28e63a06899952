import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../src/index.js';

test('serve rollout flags become rollout config overrides', () => {
  assert.deepEqual(
    parseCommand([
      'serve',
      'rollout',
      '--model',
      '/ckpt',
      '--engine',
      'openai',
      '--upstream',
      'http://a:8000',
      '--upstream',
      'http://b:8000',
      '--port',
      '0',
    ]),
    {
      command: 'serve',
      service: 'rollout',
      overrides: { model: '/ckpt', engine: 'openai', upstreams: ['http://a:8000', 'http://b:8000'], port: 0 },
    },
  );
});

test('flags of another service and unknown engines are usage errors', () => {
  assert.throws(
    () => parseCommand(['serve', 'rollout', '--workers', '2']),
    /--workers is an option of serve reward/,
  );
  assert.throws(
    () => parseCommand(['serve', 'reward', '--model', 'x']),
    /--model is an option of serve rollout/,
  );
  assert.throws(() => parseCommand(['serve', 'rollout', '--engine', 'vllm']), UsageError);
});

test('grpo serve rollout with no model serves the tiny built-in policy and exits 0 on SIGTERM', async (t) => {
  const bin = fileURLToPath(new URL('../bin/grpo.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', 'rollout', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, GRPO_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  assert.match(output, /engine onnx: the tiny built-in policy/);
  const res = await fetch(`${url}/v1/rollouts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompts: [{ text: '1+1=' }], groupSize: 2, maxTokens: 4, seed: 1 }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { groups: { completions: unknown[] }[]; model: string };
  assert.equal(body.groups[0]!.completions.length, 2);
  assert.equal(body.model, 'tiny-policy');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
});

test('--execution-provider becomes the executionProvider override of rollout and trainer, and is checked', () => {
  for (const service of ['rollout', 'trainer']) {
    const cmd = parseCommand(['serve', service, '--execution-provider', 'webgpu']);
    assert.deepEqual(cmd, { command: 'serve', service, overrides: { executionProvider: 'webgpu' } });
  }
  assert.throws(
    () => parseCommand(['serve', 'rollout', '--execution-provider', 'tpu']),
    (e: unknown) => e instanceof UsageError && /cpu, webgpu or cuda/.test(e.message),
  );
  assert.throws(
    () => parseCommand(['serve', 'reward', '--execution-provider', 'webgpu']),
    /option of serve rollout and serve trainer/,
  );
});
