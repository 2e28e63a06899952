import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SandboxPool } from '../src/index.js';

const pool = new SandboxPool({ workers: 1 });
after(() => pool.close());

const stdin = '3\n1 2\n3 4\n5 6\n';
const sums = '3\n7\n11\n';

const idioms: Record<string, string> = {
  'fs.readFileSync(0, "utf8")': `const lines = require('fs').readFileSync(0, 'utf8').trim().split('\\n');
for (const l of lines.slice(1)) { const [a, b] = l.split(' ').map(Number); console.log(a + b); }`,
  'fs.readFileSync("/dev/stdin").toString()': `const lines = require('fs').readFileSync('/dev/stdin').toString().trim().split('\\n');
lines.slice(1).forEach((l) => console.log(l.split(' ').reduce((s, x) => s + +x, 0)));`,
  'process.stdin data and end events': `let d = ''; process.stdin.setEncoding('utf8'); process.stdin.on('data', (c) => (d += c));
process.stdin.on('end', () => { const ls = d.trim().split('\\n'); for (let i = 1; i < ls.length; i++) { const [a, b] = ls[i].split(' ').map(Number); process.stdout.write(a + b + '\\n'); } });`,
  'readline line and close events': `const rl = require('readline').createInterface({ input: process.stdin }); const ls = [];
rl.on('line', (l) => ls.push(l)); rl.on('close', () => { for (const l of ls.slice(1)) { const [a, b] = l.split(' ').map(Number); console.log(a + b); } });`,
  'for await over readline': `(async () => { const rl = require('node:readline').createInterface({ input: process.stdin }); let first = true;
for await (const l of rl) { if (first) { first = false; continue; } const [a, b] = l.split(' ').map(Number); console.log(a + b); } })();`,
};

for (const [name, code] of Object.entries(idioms)) {
  test(`a program reading stdin with ${name} sees exactly the job's input`, async () => {
    const r = await pool.run({ code, stdin });
    assert.equal(r.status, 'ok', r.error?.message);
    assert.equal(r.stdout, sums);
  });
}

test('empty stdin reads as an empty string', async () => {
  const r = await pool.run({ code: "console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')))" });
  assert.equal(r.stdout, '""\n');
});

test('console formatting follows Node for common values', async () => {
  const r = await pool.run({
    code: "console.log('%s=%d %j', 'x', 42, { a: 1 }, 'rest'); console.log(-0, undefined, [undefined, null], { 'a-b': 1 }, new Map([[1, 2]]), new Set([1]));",
  });
  assert.equal(
    r.stdout,
    `x=42 {"a":1} rest\n-0 undefined [ undefined, null ] { 'a-b': 1 } Map(1) { 1 => 2 } Set(1) { 1 }\n`,
  );
});

test('requiring a module the sandbox does not provide fails like Node with MODULE_NOT_FOUND', async () => {
  const r = await pool.run({ code: "try { require('http'); } catch (e) { console.log(e.code); }" });
  assert.equal(r.stdout, 'MODULE_NOT_FOUND\n');
});
