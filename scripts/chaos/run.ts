// Fault campaign (issue #20): a short real GRPO run through the three real services on loopback,
// with API keys, and one fault injected at a time. Each fault has scripted assertions; the run
// must end with every step exactly once and a checkpoint that loads.
//
//   npm run chaos                      every fault
//   npm run chaos -- --only kill-rollout,reward-503   some of them   --json FILE   the results
//
// The disk-full fault mounts a 16 MB tmpfs (needs root or CAP_SYS_ADMIN); where mount is refused
// it is reported as not run and the campaign exits 1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { keyEnvFiles, newKeySet } from '../../cli/src/keys.js';
import { Stack, TOTAL_STEPS, TRAINER_ENV } from './harness.js';
import {
  diskFull,
  killService,
  killTrainerInSync,
  outage,
  type Result,
  transient,
  truncatedCheckpoint,
} from './scenarios.js';

const { values } = parseArgs({
  options: { only: { type: 'string' }, json: { type: 'string' }, keep: { type: 'boolean' } },
});

const FAULTS: Record<string, (s: Stack) => Promise<Result>> = {
  'kill-rollout': (s) => killService(s, 'rollout'),
  'kill-reward': (s) => killService(s, 'reward'),
  'reward-503': (s) =>
    transient(
      s,
      'reward-503',
      'reward',
      { kind: 'status', status: 503, count: 3 },
      'reward answers 503 (3 calls)',
    ),
  'reward-stall': (s) =>
    transient(
      s,
      'reward-stall',
      'reward',
      { kind: 'stall', ms: 8000, count: 1 },
      'reward stalls 8 s, past the 5 s timeout',
    ),
  'reward-outage': outage,
  'rollout-malformed': (s) =>
    transient(
      s,
      'rollout-malformed',
      'rollout',
      { kind: 'malformed', count: 1 },
      'rollout returns a malformed 200 body',
    ),
  'disk-full': diskFull,
  'truncated-checkpoint': truncatedCheckpoint,
  'kill-trainer-sync': killTrainerInSync,
};

/** Env files as `grpo keys` writes them, parsed: every service has keys, the trainer sends its own. */
function keyEnvs() {
  const set = newKeySet();
  const files = keyEnvFiles(set);
  const parse = (t: string) =>
    Object.fromEntries(
      t
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  return {
    envs: { reward: parse(files.reward), rollout: parse(files.rollout), trainer: parse(files.trainer) },
    admin: set.admin,
  };
}

async function main(): Promise<number> {
  const names = values.only ? values.only.split(',') : Object.keys(FAULTS);
  for (const n of names)
    if (!FAULTS[n]) throw new Error(`unknown fault ${n}; known: ${Object.keys(FAULTS).join(', ')}`);
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'grpo-chaos-')));
  const { envs, admin } = keyEnvs();
  const stack = new Stack(base, envs, admin);
  const results: (Result | { fault: string; error: string })[] = [];
  const t0 = Date.now();
  console.log(
    `chaos: ${names.length} faults, ${TOTAL_STEPS}-step runs, trainer ${JSON.stringify(TRAINER_ENV)}; logs in ${base}`,
  );
  try {
    await stack.up();
    // Unauthenticated calls are refused: the campaign runs with keys, as deployed.
    const anon = await fetch(`${stack.trainer.url}/v1/runs`);
    if (anon.status !== 401) throw new Error(`trainer without a key answered ${anon.status}, not 401`);
    for (const name of names) {
      const t = Date.now();
      try {
        const r = await FAULTS[name]!(stack);
        results.push(r);
        console.log(`PASS ${name} (${((Date.now() - t) / 1000).toFixed(0)} s): ${r.behaviour}`);
        for (const c of r.checks) console.log(`     - ${c}`);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        results.push({ fault: name, error: msg });
        console.log(`FAIL ${name}: ${msg}`);
        stack.rewardProxy.clear();
        stack.rolloutProxy.clear();
        // Whatever the fault left behind, the next one starts from healthy services.
        if (stack.reward.child.exitCode !== null || stack.reward.child.signalCode) await stack.startReward();
        if (stack.rollout.child.exitCode !== null || stack.rollout.child.signalCode)
          await stack.startRollout();
        if (stack.trainer.child.exitCode !== null || stack.trainer.child.signalCode)
          await stack.startTrainer();
        else await stack.trainer.stop().then(() => stack.startTrainer());
      }
    }
  } finally {
    await stack.down();
    if (!values.keep) fs.rmSync(base, { recursive: true, force: true });
  }
  console.log(
    `\n| fault | what the run did | steps 1..${TOTAL_STEPS} once | retries | resyncs | last checkpoint loads | recover (s) |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    if ('error' in r) console.log(`| ${r.fault} | FAILED: ${r.error} | | | | | |`);
    else
      console.log(
        `| ${r.fault} | ${r.behaviour} | ${r.stepsExact ? 'yes (0 lost, 0 repeated)' : 'NO'} | ${r.retries} | ${r.resyncs} | ${r.checkpoint} | ${r.recoverS.toFixed(1)} |`,
      );
  }
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  return results.every((r) => !('error' in r)) ? 0 : 1;
}

process.exitCode = await main();
