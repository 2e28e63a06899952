import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, type TestContext } from 'node:test';
import type { RunConfig, RunStatus } from '@grpo/contracts';
import type { KitApp } from '@grpo/service-kit';
import { buildTrainerServer, loadTrainerConfig } from '../src/index.js';

const tempDirs: string[] = [];
// Removed once the file's tests and their after hooks are done: a test's hooks run in the order
// they were registered, so removing a folder in one would race the trainer (closed by a later
// hook) still writing a run's status.json into it.
after(() => Promise.all(tempDirs.map((d) => fs.rm(d, { recursive: true, force: true, maxRetries: 3 }))));

/** A temp folder, removed after the test file's last test. */
export async function tempDir(_t: TestContext, prefix = 'grpo-trainer-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A trainer app (not listening) whose runs go under `runsDir`; closed after the test. */
export async function trainerApp(t: TestContext, runsDir: string, overrides: Record<string, unknown> = {}) {
  const config = loadTrainerConfig({ logLevel: 'silent', runsDir, sseHeartbeatMs: 200, ...overrides }, {});
  const app = await buildTrainerServer({ config, logger: false, defaultMetrics: false });
  t.after(() => app.close());
  return app;
}

/** A small SFT-only run: the tiny policy (hidden 32) on 40 arithmetic examples. */
export function sftRunConfig(steps = 6, extra: Partial<RunConfig> = {}): Record<string, unknown> {
  return {
    name: 'sft-test',
    model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
    data: { builtin: 'arithmetic', train: { count: 40 }, eval: { count: 8 } },
    stages: [{ type: 'sft', steps, lr: 3e-3, batch: 4 }],
    checkpointEvery: 2,
    seed: 7,
    ...extra,
  };
}

/** Polls GET /v1/runs/:id until the state is one of `states` (or the timeout passes). */
export async function waitForState(
  app: KitApp,
  id: string,
  states: readonly string[],
  timeoutMs = 60_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v1/runs/${id}` });
    const status = res.json() as RunStatus;
    if (states.includes(status.state)) return status;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${status.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Step numbers of a run directory's metrics.jsonl, in file order. */
export async function metricSteps(runDir: string): Promise<number[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { step: number }).step);
}
