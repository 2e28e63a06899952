import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyMath } from '../src/index.js';
import {
  disagreements,
  gaps,
  type OpenCase,
  type PublicCase,
  publicCases,
  SOURCES,
} from './fixtures/accuracy/public-cases.js';

const grade = (c: PublicCase) =>
  verifyMath(
    c.gold,
    c.prediction,
    c.floatTolerance === undefined ? {} : { floatTolerance: c.floatTolerance },
  );
const verdict = (status: string) => (status === 'ok' ? 'ok' : 'wrong');
const all: PublicCase[] = [...publicCases, ...disagreements, ...gaps];

test(`the public fixture holds at least 300 pairs from at least 5 suites (has ${all.length})`, () => {
  assert.ok(all.length >= 300);
  assert.ok(new Set(all.map((c) => c.source)).size >= 5);
  for (const c of all) assert.ok(SOURCES[c.source], `unknown source ${c.source}`);
});

for (const source of Object.keys(SOURCES)) {
  test(`every ${source} pair outside the open lists gets the verdict its suite asserts`, () => {
    const failures = publicCases
      .filter((c) => c.source === source)
      .flatMap((c) => {
        const r = grade(c);
        return verdict(r.status) === c.expected
          ? []
          : [
              `[${c.category}] ${JSON.stringify(c.gold.slice(-80))} vs ${JSON.stringify(c.prediction.slice(-80))}: suite ${c.expected}, got ${r.status} (${r.rule ?? r.reason})`,
            ];
      });
    assert.deepEqual(failures, []);
  });
}

function checkOpen(list: OpenCase[]): string[] {
  return list.flatMap((c) => {
    const r = grade(c);
    const problems: string[] = [];
    if (r.status !== c.ours) problems.push(`ours is ${r.status}, listed ${c.ours}`);
    if (verdict(c.ours) === c.expected) problems.push('agrees with the suite: belongs in publicCases');
    if (c.reason.length < 20) problems.push('reason missing');
    return problems.map((p) => `${JSON.stringify(c.gold)} vs ${JSON.stringify(c.prediction)}: ${p}`);
  });
}

test('every documented disagreement gets the listed verdict of ours, which differs from the suite', () => {
  assert.deepEqual(checkOpen(disagreements), []);
});

test('every known gap gets the listed verdict of ours, which differs from the suite', () => {
  assert.deepEqual(checkOpen(gaps), []);
});

test('agreement with the suites over all public pairs is at least 95%', () => {
  const agree = all.filter((c) => verdict(grade(c).status) === c.expected).length;
  assert.ok(agree / all.length >= 0.95, `${agree}/${all.length}`);
});
