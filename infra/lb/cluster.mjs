// Reward replicas as local processes, for the scaling benchmark (scripts/scale-bench.mjs) and the
// multi-replica tests (test/scaling*.test.ts): N × `grpo serve reward` on 127.0.0.1 with OS-chosen
// ports, plus a deterministic CPU-heavy workload of R1-style math completions.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const distMain = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const srcMain = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));

/**
 * The server runs in the spawned process itself (not under cli/bin/grpo.mjs, which forks the
 * sources into a grandchild), so that killing `child` kills the replica and nothing is orphaned.
 * From source unless `fromSource` is false and cli/dist exists.
 */
function serverArgv(fromSource) {
  return fromSource || !existsSync(distMain)
    ? ['--conditions=source', '--import', 'tsx', srcMain]
    : [distMain];
}

/**
 * Starts one `grpo serve reward --port 0` process and resolves once it listens.
 * @param {{workers?: number, fromSource?: boolean, startTimeoutMs?: number, env?: Record<string, string>}} [opts]
 * @returns {Promise<{url: string, child: import('node:child_process').ChildProcess, output: () => string, stop: () => Promise<void>}>}
 */
export function startReplica(opts = {}) {
  const child = spawn(
    process.execPath,
    [
      ...serverArgv(opts.fromSource ?? true),
      'serve',
      'reward',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--workers',
      String(opts.workers ?? 1),
    ],
    {
      env: {
        ...process.env,
        GRPO_REWARD_LOG_LEVEL: 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  // A test runner that exits (or fails) without calling stop() must not leave servers behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`reward replica did not start within ${opts.startTimeoutMs ?? 60_000} ms:\n${output}`),
      );
    }, opts.startTimeoutMs ?? 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`reward replica exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/**
 * Starts n replicas at once (they compile and warm up in parallel).
 * @param {number} n
 * @param {Parameters<typeof startReplica>[0]} [opts]
 */
export async function startReplicas(n, opts) {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => startReplica(opts)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => s.value);
}

/** Small deterministic PRNG (mulberry32) so every run scores the same items. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * n R1-style math items whose scoring is CPU-bound (answer extraction, LaTeX parsing and
 * equivalence of fractions, expressions and sets; language share of the reasoning), with ids
 * `item-0` .. `item-(n-1)`; `expected[i]` is the accuracy item i's answer deserves (1 or 0).
 * @param {number} n
 * @param {number} [seed]
 */
export function mathWorkload(n, seed = 1) {
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const items = [];
  const expected = [];
  for (let i = 0; i < n; i++) {
    const a = int(2, 40);
    const b = int(2, 40);
    const right = rand() < 0.7;
    let answer;
    let reference;
    switch (i % 4) {
      case 0:
        reference = String(a / (a + b));
        answer = right ? `\\frac{${a}}{${a + b}}` : `\\frac{${a + 1}}{${a + b}}`;
        break;
      case 1:
        reference = `x^2 + ${2 * a}x + ${a * a}`;
        answer = right ? `(x + ${a})^2` : `(x + ${a + 1})^2`;
        break;
      case 2:
        reference = `\\{${a}, ${b}, ${a + b}\\}`;
        answer = right ? `\\{${a + b}, ${b}, ${a}\\}` : `\\{${a}, ${b}\\}`;
        break;
      default:
        reference = String(a * b);
        answer = right ? `${a} \\times ${b} = \\boxed{${a * b}}` : `\\boxed{${a * b + 1}}`;
    }
    const steps = Array.from(
      { length: 6 },
      (_, k) => `Step ${k + 1}: combine ${a} and ${b} to get ${a * (k + 1) + b}, then check it again.`,
    ).join('\n');
    items.push({
      id: `item-${i}`,
      prompt: `Problem ${i}: a = ${a}, b = ${b}. Give the answer in LaTeX.`,
      completion: `<think>\n${steps}\n</think>\n<answer>\n${answer.includes('\\boxed') ? answer : `\\boxed{${answer}}`}\n</answer>`,
      reference,
      language: 'en',
    });
    expected.push(right ? 1 : 0);
  }
  return { items, expected };
}

/** The spec the workload is scored with. */
export const workloadSpec = [
  { name: 'accuracy' },
  { name: 'format', weight: 0.5 },
  { name: 'language_consistency', weight: 0.1 },
];
