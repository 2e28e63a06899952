/**
 * Agreement of the accuracy reward on generated prose answers in ten languages
 * (test/fixtures/accuracy/multilingual.ts): an item agrees when its known verdict is `ok` and
 * we answer `ok`, or it is `wrong` and we answer anything else. Prints the agreement per
 * language (right and wrong items apart), then the time per item.
 *
 *   node --conditions=source --import tsx libs/rewards/bench/accuracy-multilingual.ts [--list]
 *
 * `--list` also prints every item we do not agree with.
 */
import { parseArgs } from 'node:util';
import { verifyMath } from '../src/index.js';
import { LANGS, multilingualCases } from '../test/fixtures/accuracy/multilingual.js';

const { values } = parseArgs({ options: { list: { type: 'boolean', default: false } } });

const cases = multilingualCases();
const pct = (a: number, n: number) => `${((100 * a) / n).toFixed(1)}%`;
const misses: string[] = [];
let agree = 0;
console.log('lang  agreement          right items   wrong items');
for (const lang of LANGS) {
  const mine = cases.filter((c) => c.lang === lang);
  const tally = { ok: [0, 0], wrong: [0, 0] };
  for (const c of mine) {
    const r = verifyMath(c.gold, c.completion);
    const hit = (r.status === 'ok') === (c.expected === 'ok');
    tally[c.expected][0]! += hit ? 1 : 0;
    tally[c.expected][1]!++;
    if (hit) agree++;
    else
      misses.push(
        `  [${lang}#${c.template}] expected ${c.expected}, got ${r.status} (${r.rule ?? r.reason}; extracted ${JSON.stringify(r.prediction)}): ${JSON.stringify(c.gold)} vs ${JSON.stringify(c.completion)}`,
      );
  }
  const a = tally.ok[0]! + tally.wrong[0]!;
  console.log(
    `${lang.padEnd(5)} ${`${a}/${mine.length}`.padStart(7)} ${pct(a, mine.length).padStart(7)}   ${`${tally.ok[0]}/${tally.ok[1]}`.padStart(9)}   ${`${tally.wrong[0]}/${tally.wrong[1]}`.padStart(9)}`,
  );
}
console.log(`all   ${`${agree}/${cases.length}`.padStart(7)} ${pct(agree, cases.length).padStart(7)}`);
if (values.list) console.log(`\nnot agreeing:\n${misses.join('\n')}`);

// Time per item (warm-up, then about 2 s).
for (const c of cases) verifyMath(c.gold, c.completion);
const lat: number[] = [];
const t0 = performance.now();
while (performance.now() - t0 < 2000) {
  for (const c of cases) {
    const t = performance.now();
    verifyMath(c.gold, c.completion);
    lat.push(performance.now() - t);
  }
}
lat.sort((a, b) => a - b);
const mean = lat.reduce((s, x) => s + x, 0) / lat.length;
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
console.log(
  `\ntime per item (${cases.length} items, ${lat.length} runs): mean ${mean.toFixed(3)} ms, p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms`,
);
