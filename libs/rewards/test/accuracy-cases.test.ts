import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyMath } from '../src/index.js';
import { cases } from './fixtures/accuracy/cases.js';

const total = Object.values(cases).reduce((n, c) => n + c.length, 0);

test(`the case table holds at least 300 gold/prediction pairs (has ${total})`, () => {
  assert.ok(total >= 300);
});

for (const [category, list] of Object.entries(cases)) {
  test(`every ${category} case gets its expected status`, () => {
    const failures: string[] = [];
    for (const [gold, prediction, expected] of list) {
      const r = verifyMath(gold, prediction);
      if (r.status !== expected) {
        failures.push(
          `${JSON.stringify(gold)} vs ${JSON.stringify(prediction)}: expected ${expected}, got ${r.status} (${r.rule ?? r.reason}; ${r.goldParsed} | ${r.predictionParsed})`,
        );
      }
    }
    assert.deepEqual(failures, []);
  });
}
