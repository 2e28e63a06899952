import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { SandboxPool } from '../src/index.js';
import { attackCorpus } from './fixtures/attacks.js';

const sentinel = path.join(os.tmpdir(), `grpo-sandbox-sentinel-${process.pid}`);
const envBefore = JSON.stringify(process.env);
// A short grace keeps the corpus quick; attacks that hang outside V8's reach are killed at 500 + 500 ms.
const pool = new SandboxPool({ workers: 2, graceMs: 500 });
after(async () => {
  await pool.close();
  fs.rmSync(sentinel, { force: true });
});

const corpus = attackCorpus(sentinel);

test('the attack corpus holds at least 40 cases across every category', () => {
  assert.ok(corpus.length >= 40, `only ${corpus.length} attacks`);
  const categories = new Set(corpus.map((a) => a.category));
  for (const c of [
    'constructor-chain',
    'stack-trace',
    'prototype-pollution',
    'proxy',
    'async',
    'loop',
    'recursion',
    'heap',
    'output',
    'atomics',
    'wasm',
  ]) {
    assert.ok(categories.has(c as never), `no ${c} attack`);
  }
});

for (const attack of corpus) {
  test(`attack "${attack.name}" ends as ${attack.expect.join(' or ')} and nothing reaches the host`, async () => {
    const r = await pool.run(attack.job);
    assert.ok(attack.expect.includes(r.status), `status ${r.status}: ${r.error?.name}: ${r.error?.message}`);
    assert.ok(!r.stdout.includes('ESCAPED'), r.stdout.slice(0, 200));
    assert.equal(fs.existsSync(sentinel), false, 'the sentinel file was written');
    assert.equal((globalThis as Record<string, unknown>).__grpoHostSentinel, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(JSON.stringify(process.env), envBefore);
  });
}

test('after the whole corpus the pool still answers a normal job', async () => {
  const r = await pool.run({ code: "console.log(require('assert') ? 'alive' : 'dead')" });
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, 'alive\n');
  assert.equal(pool.stats().workers, 2);
});
