/**
 * Agreement of the accuracy reward with the verdicts that public graders' test suites assert
 * (test/fixtures/accuracy/public-cases.ts): a pair agrees when the suite says 1 and we answer
 * `ok`, or the suite says 0 and we answer anything else. Counts every row, the documented
 * disagreements and gaps included, and prints the agreement by source and by category, then
 * the time per pair.
 *
 *   node --conditions=source --import tsx libs/rewards/bench/accuracy-agreement.ts [--list]
 *
 * `--list` also prints every row we do not agree with.
 */
import { parseArgs } from 'node:util';
import { verifyMath } from '../src/index.js';
import {
  disagreements,
  gaps,
  type PublicCase,
  publicCases,
  SOURCES,
} from '../test/fixtures/accuracy/public-cases.js';

const { values } = parseArgs({ options: { list: { type: 'boolean', default: false } } });

const all: PublicCase[] = [...publicCases, ...disagreements, ...gaps];
const grade = (c: PublicCase) =>
  verifyMath(
    c.gold,
    c.prediction,
    c.floatTolerance === undefined ? {} : { floatTolerance: c.floatTolerance },
  );

const bySource = new Map<string, [number, number]>();
const byCategory = new Map<string, [number, number]>();
const misses: string[] = [];
let agree = 0;
for (const c of all) {
  const r = grade(c);
  const ok = (r.status === 'ok') === (c.expected === 'ok');
  if (ok) agree++;
  else
    misses.push(
      `  [${c.source}/${c.category}] expected ${c.expected}, got ${r.status} (${r.rule ?? r.reason}): ${JSON.stringify(c.gold.slice(-60))} vs ${JSON.stringify(c.prediction.slice(-80))}`,
    );
  for (const [map, key] of [
    [bySource, c.source],
    [byCategory, `${c.source}/${c.category}`],
  ] as const) {
    const t = map.get(key) ?? [0, 0];
    t[0] += ok ? 1 : 0;
    t[1]++;
    map.set(key, t);
  }
}

const pct = (a: number, n: number) => `${((100 * a) / n).toFixed(1)}%`;
console.log(`agreement: ${agree}/${all.length} = ${pct(agree, all.length)}`);
console.log('\nby source:');
for (const [k, [a, n]] of bySource) {
  const s = SOURCES[k as keyof typeof SOURCES];
  console.log(`  ${pct(a, n).padStart(6)}  ${a}/${n}  ${s.repo} ${s.path}`);
}
console.log('\nby category:');
for (const [k, [a, n]] of byCategory) console.log(`  ${pct(a, n).padStart(6)}  ${a}/${n}  ${k}`);
if (values.list) console.log(`\nnot agreeing:\n${misses.join('\n')}`);

// Time per pair over the public rows (warm-up, then about 2 s).
for (const c of all) grade(c);
const lat: number[] = [];
const t0 = performance.now();
while (performance.now() - t0 < 2000) {
  for (const c of all) {
    const t = performance.now();
    grade(c);
    lat.push(performance.now() - t);
  }
}
lat.sort((a, b) => a - b);
const mean = lat.reduce((s, x) => s + x, 0) / lat.length;
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
console.log(
  `\ntime per pair (${all.length} public pairs, ${lat.length} runs): mean ${mean.toFixed(3)} ms, p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, max ${lat[lat.length - 1]!.toFixed(3)} ms`,
);
