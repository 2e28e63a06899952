// RSS vs heap while one reward function scores R1-style completions in a loop, in-process.
//   node --conditions=source --import tsx services/reward/bench/leak-probe.ts <fn> [seconds]
import { createDefaultRegistry } from '@grpo/rewards';
import { r1Batch } from './completions.js';

const name = process.argv[2] ?? 'format';
const seconds = Number(process.argv[3] ?? 30);
const fn = createDefaultRegistry().get(name)!;
const items = Array.from({ length: 50 }, (_, i) => r1Batch(16, i + 1)).flat();
const t0 = Date.now();
let n = 0;
let next = 0;
while (Date.now() - t0 < seconds * 1000) {
  for (const it of items) fn.score(it, {}, { deadlineMs: Date.now() + 1000 });
  n += items.length;
  if (Date.now() - t0 >= next) {
    next += 5000;
    const m = process.memoryUsage();
    console.log(
      `${name} t=${Math.round((Date.now() - t0) / 1000)}s items=${n} rss=${(m.rss / 2 ** 20).toFixed(0)}MB heap=${(m.heapUsed / 2 ** 20).toFixed(0)}MB external=${(m.external / 2 ** 20).toFixed(0)}MB`,
    );
  }
  await new Promise((r) => setImmediate(r));
}
