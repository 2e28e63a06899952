// The prepared GPU check (issue #25): on a machine with a GPU and no network, proves that the
// WebGPU provider runs our graphs on it and times them against the same machine's CPU cores.
//   1. placement: every node of the quick-start policy's train, prefill and decode graphs on
//      WebGpuExecutionProvider except the allow-listed int64 shape ops (as the CI test);
//   2. correctness: first train-step losses and greedy tokens, WebGPU against CPU;
//   3. timings per size (the quick-start policy; a 0.5B-sized random Qwen2-style model):
//      train step, prefill and decode step on cpu and webgpu, plus webgpu with the host round
//      trip (optimizer state and KV cache copied through host memory every step).
// Run through scripts/gpu-check/run.sh (which also asks the Vulkan loader which driver it
// loads), or from a checkout: node --conditions=source --import tsx scripts/gpu-check/check.ts
//   env: GPU_CHECK_SIZES=quickstart,0.5b  GPU_CHECK_QUICK=1 (small shapes, for lavapipe)
//        GPU_CHECK_OUT=<file> (the markdown report is also written there)
//        GPU_CHECK_PROBE=1 (only start a WebGPU session: run.sh's Vulkan driver probe)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildKvGraph,
  initTensors,
  int64Tensor,
  type ModelConfig,
  PolicyEngine,
  PolicyTrainer,
  RopeTables,
  sftLoss,
  type TensorMap,
  tinyConfig,
  weightFeeds,
} from '@grpo/model';
import {
  type ExecutionProvider,
  nodePlacement,
  offProvider,
  placementFromProfiles,
  type Tensor,
  WEBGPU_PROVIDER,
  webgpuStatus,
} from '@grpo/onnx';

const quick = process.env.GPU_CHECK_QUICK === '1';
const sizes = (process.env.GPU_CHECK_SIZES ?? (quick ? 'quickstart' : 'quickstart,0.5b')).split(',');
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

interface Size {
  config: ModelConfig;
  train: { rows: number; tokens: number; steps: number };
  gen: { prompts: number; group: number; promptTokens: number; decodeSteps: number };
}

function sizeOf(name: string): Size {
  if (name === 'quickstart') {
    return {
      config: tinyConfig({ hiddenSize: 128, layers: 2, heads: 4, kvHeads: 2 }),
      train: quick ? { rows: 4, tokens: 32, steps: 2 } : { rows: 8, tokens: 64, steps: 5 },
      gen: quick
        ? { prompts: 2, group: 2, promptTokens: 16, decodeSteps: 8 }
        : { prompts: 8, group: 8, promptTokens: 32, decodeSteps: 32 },
    };
  }
  if (name === '0.5b') {
    // Qwen2.5-0.5B's shape (494M parameters, tied embeddings), random weights.
    const c = tinyConfig({
      family: 'qwen2',
      hiddenSize: 896,
      layers: 24,
      heads: 14,
      kvHeads: 2,
      intermediateSize: 4864,
    });
    return {
      config: { ...c, vocabSize: 151_936 },
      train: { rows: 4, tokens: 128, steps: 3 },
      gen: { prompts: 8, group: 8, promptTokens: 512, decodeSteps: 16 },
    };
  }
  throw new Error(`unknown size ${name}; use quickstart or 0.5b`);
}

function ids(n: number, vocab: number, salt: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7919 + salt * 104_729) % vocab);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function trainTimes(
  s: Size,
  tensors: TensorMap,
  ep: ExecutionProvider,
  deviceState = true,
): Promise<{ ms: number; firstLoss: number }> {
  const tr = await PolicyTrainer.create({
    config: s.config,
    tensors,
    loss: sftLoss,
    session: { executionProvider: ep },
    deviceState,
  });
  const { rows, tokens, steps } = s.train;
  const batch = {
    sequences: Array.from({ length: rows }, (_, r) => ({
      ids: ids(tokens, s.config.vocabSize, r),
      promptLength: tokens / 4,
    })),
  };
  const firstLoss = (await tr.step(batch, 1e-5)).loss; // warm-up (shader compilation, allocations)
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await tr.step(batch, 1e-5);
    times.push(performance.now() - t0);
  }
  await tr.release();
  return { ms: median(times), firstLoss };
}

async function genTimes(
  s: Size,
  tensors: TensorMap,
  ep: ExecutionProvider,
  kvCache: 'auto' | 'host' = 'auto',
): Promise<{ prefillMs: number; decodeMs: number; tokens: number[][] }> {
  const e = await PolicyEngine.create(
    { config: s.config, tensors },
    { session: { executionProvider: ep }, kvCache },
  );
  const { prompts, group, promptTokens, decodeSteps } = s.gen;
  const req = (maxTokens: number) => ({
    prompts: Array.from({ length: prompts }, (_, i) => ids(promptTokens, s.config.vocabSize, i + 1)),
    groupSize: group,
    temperature: 0,
    maxTokens,
    eosTokenIds: [],
  });
  await e.generate(req(2)); // warm-up
  let t0 = performance.now();
  await e.generate(req(1));
  const prefillMs = performance.now() - t0;
  t0 = performance.now();
  const r = await e.generate(req(decodeSteps + 1));
  const decodeMs = (performance.now() - t0 - prefillMs) / decodeSteps;
  await e.release();
  return { prefillMs, decodeMs, tokens: r.completions.flat().map((c) => c.tokenIds) };
}

async function placement(): Promise<void> {
  const s = sizeOf('quickstart');
  const c = s.config;
  const tensors = initTensors(c, 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-check-'));
  const tr = await PolicyTrainer.create({
    config: c,
    tensors,
    loss: sftLoss,
    session: {
      executionProvider: 'webgpu',
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'train'),
    },
  });
  await tr.step({ sequences: [{ ids: ids(24, c.vocabSize, 1), promptLength: 6 }] }, 1e-3);
  tr.endProfiling();
  await tr.release();
  const report = (name: string, nodes: { opType: string; provider: string }[]) => {
    const off = offProvider(nodes, WEBGPU_PROVIDER);
    const n = Object.values(off).reduce((a, b) => a + b, 0);
    say(`| ${name} | ${nodes.length} | ${nodes.length - n} | ${JSON.stringify(off)} |`);
  };
  say('| graph | nodes | on WebGpuExecutionProvider | elsewhere (op: count) |');
  say('|---|---|---|---|');
  report('train step', await placementFromProfiles(dir));
  fs.rmSync(dir, { recursive: true, force: true });
  const rope = new RopeTables(c);
  for (const past of [false, true]) {
    const [B, T, P] = [2, past ? 1 : 5, past ? 5 : 0];
    const r = rope.tensors(
      Array.from({ length: B * T }, (_, i) => P + (i % T)),
      B,
      T,
    );
    const feeds: Record<string, Tensor> = {
      ...weightFeeds(c, tensors),
      input_ids: int64Tensor(new Array(B * T).fill(3), [B, T]),
      rope_cos: r.cos,
      rope_sin: r.sin,
      attention_mask: int64Tensor(new Array(B * (T + P)).fill(1), [B, T + P]),
    };
    const { tensor } = await import('@grpo/onnx');
    for (let l = 0; l < c.numLayers && past; l++) {
      const d = [B, c.numKvHeads, P, c.headDim];
      feeds[`past.${l}.key`] = tensor('float32', new Float32Array(d.reduce((a, b) => a * b)), d);
      feeds[`past.${l}.value`] = feeds[`past.${l}.key`]!;
    }
    const g = buildKvGraph(c, { past, logits: past ? 'all' : 'last', present: past });
    report(
      past ? 'decode' : 'prefill',
      await nodePlacement(g.toOnnx(), feeds, { executionProvider: 'webgpu' }),
    );
  }
}

const status = await webgpuStatus();
if (process.env.GPU_CHECK_PROBE === '1') {
  // run.sh's driver probe: one WebGPU session under VK_LOADER_DEBUG=driver, nothing else.
  console.log(JSON.stringify(status));
  process.exit(status.available ? 0 : 1);
}
say(`# GPU check (${new Date().toISOString()})`);
say(`- host: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
say(
  `- Vulkan loader: ${status.loader ?? 'none'}; webgpu: ${status.available ? 'available' : `UNAVAILABLE: ${status.reason}`}`,
);
if (!status.available) process.exit(1);
say('\n## Node placement (quick-start policy)\n');
await placement();
say('\n## Timings (ms; median after a warm-up run)\n');
say('| size | what | cpu | webgpu | webgpu, host round trip | cpu / webgpu | webgpu vs cpu |');
say('|---|---|---|---|---|---|---|');
for (const name of sizes) {
  const s = sizeOf(name);
  const tensors = initTensors(s.config, 1);
  const tc = await trainTimes(s, tensors, 'cpu');
  const tg = await trainTimes(s, tensors, 'webgpu');
  const th = await trainTimes(s, tensors, 'webgpu', false);
  const lossDiff = Math.abs(tg.firstLoss - tc.firstLoss) / Math.abs(tc.firstLoss);
  const { rows, tokens } = s.train;
  say(
    `| ${name} | train step (${rows} x ${tokens} tokens) | ${tc.ms.toFixed(1)} | ${tg.ms.toFixed(1)} | ${th.ms.toFixed(1)} | ${(tc.ms / tg.ms).toFixed(2)} | first loss rel diff ${lossDiff.toExponential(1)} |`,
  );
  const gc = await genTimes(s, tensors, 'cpu');
  const gg = await genTimes(s, tensors, 'webgpu');
  const gh = await genTimes(s, tensors, 'webgpu', 'host');
  const same = gg.tokens.filter((t, i) => JSON.stringify(t) === JSON.stringify(gc.tokens[i])).length;
  const { prompts, group, promptTokens, decodeSteps } = s.gen;
  say(
    `| ${name} | prefill (${prompts} prompts x ${promptTokens} tokens) | ${gc.prefillMs.toFixed(1)} | ${gg.prefillMs.toFixed(1)} | ${gh.prefillMs.toFixed(1)} | ${(gc.prefillMs / gg.prefillMs).toFixed(2)} | |`,
  );
  say(
    `| ${name} | decode step (${prompts * group} rows, ${promptTokens}..${promptTokens + decodeSteps} slots) | ${gc.decodeMs.toFixed(1)} | ${gg.decodeMs.toFixed(1)} | ${gh.decodeMs.toFixed(1)} | ${(gc.decodeMs / gg.decodeMs).toFixed(2)} | greedy: ${same}/${gc.tokens.length} sequences identical |`,
  );
}
if (process.env.GPU_CHECK_OUT) fs.writeFileSync(process.env.GPU_CHECK_OUT, `${lines.join('\n')}\n`);
