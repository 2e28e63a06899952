import fs from 'node:fs';
import path from 'node:path';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { loadPolicy } from '@grpo/model';
import { type ServiceProc, startService } from './procs.js';
import { FaultProxy } from './proxy.js';

export const SFT_STEPS = 2;
export const GRPO_STEPS = 8;
export const TOTAL_STEPS = SFT_STEPS + GRPO_STEPS;

/** Settings the trainer runs with in the campaign: short timeouts so stalls show in seconds. */
export const TRAINER_ENV = {
  GRPO_TRAINER_SERVICE_TIMEOUT_MS: '5000',
  GRPO_TRAINER_SERVICE_RETRIES: '8',
};

/** The three services on loopback, each behind a fault proxy where the trainer calls it. */
export class Stack {
  reward!: ServiceProc;
  rollout!: ServiceProc;
  trainer!: ServiceProc;
  rewardProxy!: FaultProxy;
  rolloutProxy!: FaultProxy;
  runsDir: string;

  constructor(
    readonly base: string,
    readonly keys: Record<'reward' | 'rollout' | 'trainer', Record<string, string>>,
    readonly adminKey: string,
  ) {
    this.runsDir = path.join(base, 'runs');
    fs.mkdirSync(this.runsDir, { recursive: true });
  }

  log(name: string): string {
    return path.join(this.base, `${name}.log`);
  }

  async startReward(): Promise<void> {
    this.reward = await startService(
      'reward',
      { ...this.keys.reward, GRPO_REWARD_WORKERS: '1' },
      this.log('reward'),
    );
    if (this.rewardProxy) this.rewardProxy.target = this.reward.url;
  }

  async startRollout(): Promise<void> {
    this.rollout = await startService(
      'rollout',
      { ...this.keys.rollout, GRPO_ROLLOUT_MODEL_ROOT: this.base, GRPO_ROLLOUT_INTRA_OP_THREADS: '1' },
      this.log('rollout'),
    );
    if (this.rolloutProxy) this.rolloutProxy.target = this.rollout.url;
  }

  async startTrainer(env: Record<string, string> = {}): Promise<void> {
    this.trainer = await startService(
      'trainer',
      { ...this.keys.trainer, ...TRAINER_ENV, GRPO_TRAINER_RUNS_DIR: this.runsDir, ...env },
      this.log('trainer'),
    );
  }

  async up(): Promise<void> {
    await Promise.all([this.startReward(), this.startRollout()]);
    this.rewardProxy = new FaultProxy(this.reward.url);
    this.rolloutProxy = new FaultProxy(this.rollout.url);
    await Promise.all([this.rewardProxy.listen(), this.rolloutProxy.listen()]);
    await this.startTrainer();
  }

  async down(): Promise<void> {
    await Promise.all([this.trainer?.stop(), this.rollout?.stop(), this.reward?.stop()]);
    await Promise.all([this.rewardProxy?.close(), this.rolloutProxy?.close()]);
  }

  /** A run config: tiny policy, SFT cold start then GRPO, through the proxies. */
  runConfig(runDir: string): object {
    return {
      name: 'chaos',
      model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
      data: {
        builtin: 'arithmetic',
        train: { count: 64, maxDigits: 2, zhFraction: 0 },
        eval: { count: 8, maxDigits: 2, zhFraction: 0 },
      },
      rewards: [{ name: 'format' }, { name: 'tags', weight: 0.5 }, { name: 'accuracy' }],
      stages: [
        { type: 'sft', steps: SFT_STEPS, lr: 5e-3, batch: 8 },
        {
          type: 'grpo',
          steps: GRPO_STEPS,
          lr: 2e-3,
          batch: 4,
          groupSize: 4,
          sampling: { temperature: 1, maxTokens: 32 },
        },
      ],
      rolloutUrl: this.rolloutProxy.url,
      rewardUrl: this.rewardProxy.url,
      checkpointEvery: 2,
      keepCheckpoints: 3,
      seed: 5,
      runDir,
    };
  }

  async api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.trainer.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async submit(body: unknown): Promise<RunStatus> {
    const r = await this.api<RunStatus>('POST', '/v1/runs', body);
    if (r.status !== 201) throw new Error(`POST /v1/runs: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Polls the run until `done` holds; a deadline so the campaign itself can never hang. */
  async waitFor(id: string, done: (s: RunStatus) => boolean, timeoutMs = 180_000): Promise<RunStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.api<RunStatus>('GET', `/v1/runs/${id}`).catch(() => null);
      if (r?.status === 200 && done(r.body)) return r.body;
      if (Date.now() > deadline)
        throw new Error(`run ${id}: condition not reached in ${timeoutMs} ms (${JSON.stringify(r?.body)})`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

export function rows(runDir: string): MetricRow[] {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricRow);
}

/** Resolves when metrics.jsonl has a row past `step`: the run made progress again. */
export async function nextStep(runDir: string, step: number, timeoutMs = 180_000): Promise<number> {
  const t0 = Date.now();
  while (!rows(runDir).some((r) => r.step > step)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`no step after ${step} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** Every step 1..TOTAL_STEPS exactly once, in order (none lost, none repeated). */
export function stepsExact(runDir: string): boolean {
  const s = rows(runDir).map((r) => r.step);
  return s.length === TOTAL_STEPS && s.every((v, i) => v === i + 1);
}

/** The checkpoint latest.json names loads as a model folder (weights, config, tokenizer). */
export async function latestCheckpointLoads(runDir: string): Promise<string> {
  const root = path.join(runDir, 'checkpoints');
  const latest = JSON.parse(fs.readFileSync(path.join(root, 'latest.json'), 'utf8')) as {
    dir: string;
    step: number;
  };
  await loadPolicy(path.join(root, latest.dir));
  return latest.dir;
}

export const sum = (runDir: string, key: 'serviceRetries' | 'policyResyncs') =>
  rows(runDir).reduce((a, r) => a + (r[key] ?? 0), 0);
