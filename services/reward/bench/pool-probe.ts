// RSS of this process while the reward service's CpuPool scores chunks in a loop (2 workers):
// a per-chunk leak in the pool shows as RSS growing with the chunk count (issue #20 soak).
//   node --conditions=source --import tsx services/reward/bench/pool-probe.ts [seconds] [fn,...]
import { CpuPool } from '../src/pool.js';
import { r1Batch } from './completions.js';

const seconds = Number(process.argv[2] ?? 40);
const fns = (process.argv[3] ?? 'accuracy,format,language_consistency').split(',');
const pool = new CpuPool({
  workers: 2,
  registryModule: new URL('../src/default-registry-module.ts', import.meta.url).href,
});
const spec = fns.map((name) => ({ name, weight: 1, params: {} }));
const t0 = Date.now();
let next = 0;
let n = 0;
while (Date.now() - t0 < seconds * 1000) {
  await Promise.all(
    Array.from({ length: 4 }, (_, i) => pool.run(r1Batch(16, n + i + 1), spec as never, 1000, 10_000)),
  );
  n += 4;
  if (Date.now() - t0 >= next) {
    next += 5000;
    const m = process.memoryUsage();
    console.log(
      `t=${Math.round((Date.now() - t0) / 1000)}s chunks=${n} rss=${(m.rss / 2 ** 20).toFixed(0)}MB heap=${(m.heapUsed / 2 ** 20).toFixed(0)}MB`,
    );
  }
}
await pool.close();
