import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunStatus } from '@grpo/contracts';
import {
  latestCheckpointLoads,
  nextStep,
  rows,
  SFT_STEPS,
  type Stack,
  stepsExact,
  sum,
  TOTAL_STEPS,
} from './harness.js';

/** One row of the campaign's table. */
export interface Result {
  fault: string;
  /** What the run did, in words (retried and went on; failed with CODE and resumed; ...). */
  behaviour: string;
  /** Every step 1..N in metrics.jsonl exactly once. */
  stepsExact: boolean;
  retries: number;
  resyncs: number;
  /** The checkpoint latest.json names, loaded after the fault. */
  checkpoint: string;
  /** Fault injected -> the next step finished (in the same run or the resumed one). */
  recoverS: number;
  /** Scripted assertions of this fault, all of which held. */
  checks: string[];
}

function check(cond: boolean, what: string, checks: string[]): void {
  if (!cond) throw new Error(`assertion failed: ${what}`);
  checks.push(what);
}

async function begin(stack: Stack, name: string, atStep = SFT_STEPS + 2) {
  const runDir = path.join(stack.runsDir, name);
  const created = await stack.submit(stack.runConfig(runDir));
  await stack.waitFor(created.id, (s) => s.step >= atStep || s.state === 'failed');
  return { runDir, id: created.id };
}

async function finish(stack: Stack, id: string, runDir: string, checks: string[]): Promise<RunStatus> {
  const done = await stack.waitFor(id, (s) => s.state === 'completed' || s.state === 'failed');
  check(
    done.state === 'completed',
    `run completed (${done.state} ${JSON.stringify(done.error ?? '')})`,
    checks,
  );
  check(stepsExact(runDir), `steps 1..${TOTAL_STEPS} each once`, checks);
  return done;
}

/** Kills a service with SIGKILL while a call to it is in flight; the script restarts it. */
export async function killService(stack: Stack, which: 'rollout' | 'reward'): Promise<Result> {
  const checks: string[] = [];
  const { runDir, id } = await begin(stack, `kill-${which}`);
  const proxy = which === 'rollout' ? stack.rolloutProxy : stack.rewardProxy;
  const route = which === 'rollout' ? '/v1/rollouts' : '/v1/rewards';
  const before = rows(runDir).length;
  let t0 = 0;
  const killed = new Promise<void>((resolve) => {
    proxy.onRequest = (r) => {
      if (r.path !== route || t0) return;
      t0 = Date.now();
      proxy.onRequest = null;
      // 30 ms in: the request is at the service, mid-call.
      setTimeout(() => void stack[which].kill().then(resolve), 30);
    };
  });
  await killed;
  const step = rows(runDir).length;
  await (which === 'rollout' ? stack.startRollout() : stack.startReward());
  await nextStep(runDir, Math.max(step, before));
  const recoverS = (Date.now() - t0) / 1000;
  await finish(stack, id, runDir, checks);
  const retries = sum(runDir, 'serviceRetries');
  const resyncs = sum(runDir, 'policyResyncs');
  check(retries >= 1, 'the failed call was retried (serviceRetries >= 1)', checks);
  if (which === 'rollout')
    check(resyncs >= 1, 'weights pushed again to the restarted rollout (policyResyncs >= 1)', checks);
  return {
    fault: `SIGKILL ${which} mid-step (restarted)`,
    behaviour:
      which === 'rollout'
        ? 'retried with backoff until the restarted service answered; samples from its start-up weights discarded, weights pushed again'
        : 'retried with backoff until the restarted service answered; went on',
    stepsExact: true,
    retries,
    resyncs,
    checkpoint: await latestCheckpointLoads(runDir),
    recoverS,
    checks,
  };
}

/** The proxy answers the next calls with a fault; the trainer retries through it. */
export async function transient(
  stack: Stack,
  name: string,
  which: 'rollout' | 'reward',
  fault: Parameters<Stack['rewardProxy']['inject']>[1],
  label: string,
): Promise<Result> {
  const checks: string[] = [];
  const { runDir, id } = await begin(stack, name);
  const proxy = which === 'rollout' ? stack.rolloutProxy : stack.rewardProxy;
  const step = rows(runDir).length;
  const t0 = Date.now();
  proxy.inject(which === 'rollout' ? 'POST /v1/rollouts' : 'POST /v1/rewards', fault);
  await nextStep(runDir, step);
  const recoverS = (Date.now() - t0) / 1000;
  await finish(stack, id, runDir, checks);
  const retries = sum(runDir, 'serviceRetries');
  check(proxy.applied[fault.kind]! >= fault.count || fault.count === 0, `${label} injected`, checks);
  check(retries >= 1, 'reported in metrics (serviceRetries >= 1)', checks);
  proxy.clear();
  return {
    fault: label,
    behaviour:
      fault.kind === 'malformed'
        ? 'reply rejected against the contract, requested again, went on'
        : 'retried with backoff, went on',
    stepsExact: true,
    retries,
    resyncs: sum(runDir, 'policyResyncs'),
    checkpoint: await latestCheckpointLoads(runDir),
    recoverS,
    checks,
  };
}

/** The reward service down for longer than the retry budget: the run fails with a code, then resumes. */
export async function outage(stack: Stack): Promise<Result> {
  const checks: string[] = [];
  const { runDir, id } = await begin(stack, 'reward-outage');
  const t0 = Date.now();
  stack.rewardProxy.inject('POST /v1/rewards', { kind: 'status', status: 503, count: 1_000_000 });
  const failed = await stack.waitFor(id, (s) => s.state === 'failed' || s.state === 'completed', 120_000);
  const failS = (Date.now() - t0) / 1000;
  check(
    failed.state === 'failed' && failed.error?.code === 'CHAOS_INJECTED',
    `failed with the service's code after the retries (${failS.toFixed(1)} s)`,
    checks,
  );
  check(/503/.test(failed.error?.message ?? ''), 'the message names the status', checks);
  stack.rewardProxy.clear();
  const checkpoint = await latestCheckpointLoads(runDir);
  const step = rows(runDir).length;
  await stack.submit({ resume: runDir });
  await nextStep(runDir, step);
  const recoverS = (Date.now() - t0) / 1000;
  await finish(stack, id, runDir, checks);
  return {
    fault: 'reward 503 on every call (outage past the retry budget)',
    behaviour: `failed with ${failed.error?.code} after ${failS.toFixed(0)} s of retries, never hung; resumed from ${checkpoint} once healthy`,
    stepsExact: true,
    retries: sum(runDir, 'serviceRetries'),
    resyncs: sum(runDir, 'policyResyncs'),
    checkpoint,
    recoverS,
    checks,
  };
}

/** SIGKILL of the trainer while PUT /v1/policy (the weight sync) is in flight; restarted with --resume. */
export async function killTrainerInSync(stack: Stack): Promise<Result> {
  const checks: string[] = [];
  const { runDir, id } = await begin(stack, 'kill-trainer', SFT_STEPS + 3);
  let t0 = 0;
  await new Promise<void>((resolve) => {
    stack.rolloutProxy.onRequest = (r) => {
      if (r.path !== '/v1/policy' || t0) return;
      t0 = Date.now();
      stack.rolloutProxy.onRequest = null;
      void stack.trainer.kill().then(resolve);
    };
  });
  const step = rows(runDir).length;
  await stack.startTrainer({ GRPO_TRAINER_RESUME: runDir });
  // Recovered: a step past the one the killed process had reached.
  await nextStep(runDir, step);
  const recoverS = (Date.now() - t0) / 1000;
  const done = await finish(stack, id, runDir, checks);
  check(
    done.resumedFrom !== undefined && done.resumedFrom <= step,
    `resumed from checkpoint step ${done.resumedFrom}`,
    checks,
  );
  return {
    fault: 'SIGKILL trainer during weight sync (restarted with resume)',
    behaviour: `restarted trainer resumed from step ${done.resumedFrom}; steps after it recomputed, their old metric rows cut`,
    stepsExact: true,
    retries: sum(runDir, 'serviceRetries'),
    resyncs: sum(runDir, 'policyResyncs'),
    checkpoint: await latestCheckpointLoads(runDir),
    recoverS,
    checks,
  };
}

/** The newest checkpoint truncated while the run was stopped: resume falls back to the one before. */
export async function truncatedCheckpoint(stack: Stack): Promise<Result> {
  const checks: string[] = [];
  const { runDir, id } = await begin(stack, 'truncated', SFT_STEPS + 1);
  // A tiny-model step takes ~0.1 s: stop from inside a step (its rollout call) so the run cannot
  // finish first; it stops at that step's end, with a checkpoint.
  await new Promise<void>((resolve) => {
    let calls = 0;
    stack.rolloutProxy.onRequest = (r) => {
      if (r.path !== '/v1/rollouts' || ++calls < 3) return;
      stack.rolloutProxy.onRequest = null;
      void stack.api('POST', `/v1/runs/${id}/stop`).then(() => resolve());
    };
  });
  const stopped = await stack.waitFor(id, (s) => ['stopped', 'failed', 'completed'].includes(s.state));
  check(stopped.state === 'stopped', `stopped at step ${stopped.step} with a checkpoint`, checks);
  const latest = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints/latest.json'), 'utf8')) as {
    dir: string;
    step: number;
  };
  const weights = path.join(runDir, 'checkpoints', latest.dir, 'model.safetensors');
  fs.truncateSync(weights, Math.floor(fs.statSync(weights).size / 2));
  const t0 = Date.now();
  await stack.submit({ resume: runDir });
  await nextStep(runDir, latest.step);
  const recoverS = (Date.now() - t0) / 1000;
  const done = await finish(stack, id, runDir, checks);
  check(
    done.resumedFrom !== undefined && done.resumedFrom < latest.step,
    `skipped truncated ${latest.dir}, resumed from step ${done.resumedFrom}`,
    checks,
  );
  return {
    fault: `truncated checkpoint (${latest.dir}/model.safetensors cut in half)`,
    behaviour: `resume skipped it and went on from step ${done.resumedFrom}; later steps recomputed once`,
    stepsExact: true,
    retries: sum(runDir, 'serviceRetries'),
    resyncs: sum(runDir, 'policyResyncs'),
    checkpoint: await latestCheckpointLoads(runDir),
    recoverS,
    checks,
  };
}

/**
 * The runs disk full during a checkpoint: a small tmpfs holds the run; after step 3 it is
 * filled to twice the weights' size, so the step-4 sync fits and the checkpoint (weights,
 * optimizer moments, KL reference) does not.
 */
export async function diskFull(stack: Stack): Promise<Result> {
  const checks: string[] = [];
  const disk = path.join(stack.base, 'disk');
  fs.mkdirSync(disk, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', disk]);
  try {
    const runs = path.join(disk, 'runs');
    fs.mkdirSync(runs);
    const mainTrainer = stack.trainer;
    await stack.startTrainer({ GRPO_TRAINER_RUNS_DIR: runs });
    try {
      const runDir = path.join(runs, 'disk-full');
      const created = await stack.submit(stack.runConfig(runDir));
      await stack.waitFor(created.id, (s) => s.step >= SFT_STEPS + 1);
      const weights = fs.statSync(
        path.join(runDir, 'checkpoints', `step-${SFT_STEPS}`, 'model.safetensors'),
      ).size;
      const st = fs.statfsSync(disk);
      const free = st.bavail * st.bsize;
      const filler = path.join(disk, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - 2 * weights - 64 * 1024)));
      const t0 = Date.now();
      const failed = await stack.waitFor(
        created.id,
        (s) => s.state === 'failed' || s.state === 'completed',
        120_000,
      );
      check(
        failed.state === 'failed' && failed.error?.code === 'GRPO_TRAINER_DISK_FULL',
        `failed with GRPO_TRAINER_DISK_FULL (${failed.error?.code})`,
        checks,
      );
      const ckpts = fs.readdirSync(path.join(runDir, 'checkpoints'));
      check(!ckpts.some((n) => n.startsWith('.tmp-')), 'no half-written checkpoint folder left', checks);
      const synced = fs.existsSync(path.join(runDir, 'sync', `step-${failed.step}`, 'config.json'));
      const checkpoint = await latestCheckpointLoads(runDir);
      checks.push(`last good checkpoint ${checkpoint} loads`);
      fs.rmSync(filler);
      const step = rows(runDir).length;
      await stack.submit({ resume: runDir });
      await nextStep(runDir, step);
      const recoverS = (Date.now() - t0) / 1000;
      await finish(stack, created.id, runDir, checks);
      return {
        fault: 'runs disk full (16 MB tmpfs) during a checkpoint',
        behaviour: `failed with GRPO_TRAINER_DISK_FULL at step ${failed.step}${synced ? ' after its weight sync, in the checkpoint write' : ''}; resumed from ${checkpoint} after space was freed`,
        stepsExact: true,
        retries: sum(runDir, 'serviceRetries'),
        resyncs: sum(runDir, 'policyResyncs'),
        checkpoint: await latestCheckpointLoads(runDir),
        recoverS,
        checks,
      };
    } finally {
      await stack.trainer.stop();
      stack.trainer = mainTrainer;
    }
  } finally {
    execFileSync('umount', [disk]);
  }
}
