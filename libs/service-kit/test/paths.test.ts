import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  ConfigError,
  checkOpenBinding,
  FieldError,
  isLoopbackHost,
  PATH_INVALID,
  PATH_OUTSIDE_ROOTS,
  parseRootList,
  resolveInRoots,
} from '../src/index.js';
import { buildTestApp } from './helpers.js';

/** root/ (allowed, with data/a.jsonl) and outside/ (secret.txt) in a temp folder. */
function layout(t: TestContext) {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'grpo-paths-')));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(root, 'data', 'a.jsonl'), '{}\n');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'root:x:0:0\n');
  return { base, root, outside, roots: { dirs: [root], setting: 'X_DATA_ROOT (--data-root)' } };
}

function refused(fn: () => unknown, code: string, status: number, field: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FieldError);
    assert.equal(e.code, code);
    assert.equal(e.statusCode, status);
    assert.equal(e.field, field);
    return true;
  });
}

test('a path inside a root resolves to its real absolute path', (t) => {
  const { root, roots } = layout(t);
  assert.equal(
    resolveInRoots(path.join(root, 'data/a.jsonl'), roots, 'data.path'),
    path.join(root, 'data/a.jsonl'),
  );
  // Relative paths resolve against cwd; a file not created yet is fine (the caller checks existence).
  assert.equal(resolveInRoots('data/new.jsonl', roots, 'f', root), path.join(root, 'data/new.jsonl'));
  assert.equal(resolveInRoots('.', roots, 'f', root), root);
});

test('absolute paths and .. escapes outside every root are 403 with the field', (t) => {
  const { root, roots } = layout(t);
  refused(() => resolveInRoots('/etc/passwd', roots, 'data.path'), PATH_OUTSIDE_ROOTS, 403, 'data.path');
  refused(
    () => resolveInRoots('../../outside/secret.txt', roots, 'data.path', path.join(root, 'data')),
    PATH_OUTSIDE_ROOTS,
    403,
    'data.path',
  );
  refused(
    () => resolveInRoots(`${root}/data/../../outside/secret.txt`, roots, 'p'),
    PATH_OUTSIDE_ROOTS,
    403,
    'p',
  );
  // A sibling that shares the root's name as a prefix is not inside it.
  fs.mkdirSync(`${root}-evil`);
  refused(() => resolveInRoots(`${root}-evil`, roots, 'p'), PATH_OUTSIDE_ROOTS, 403, 'p');
});

test('symlinks that lead out of a root are refused, in the file or in a folder on the way', (t) => {
  const { root, outside, roots } = layout(t);
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'data', 'link.jsonl'));
  fs.symlinkSync(outside, path.join(root, 'escape'));
  refused(
    () => resolveInRoots(path.join(root, 'data/link.jsonl'), roots, 'data.path'),
    PATH_OUTSIDE_ROOTS,
    403,
    'data.path',
  );
  refused(
    () => resolveInRoots(path.join(root, 'escape/secret.txt'), roots, 'p'),
    PATH_OUTSIDE_ROOTS,
    403,
    'p',
  );
  // Not-yet-existing names below an escaping link are judged by where the link goes.
  refused(() => resolveInRoots(path.join(root, 'escape/new/file'), roots, 'p'), PATH_OUTSIDE_ROOTS, 403, 'p');
  // A link that stays inside is followed and allowed.
  fs.symlinkSync(path.join(root, 'data'), path.join(root, 'alias'));
  assert.equal(resolveInRoots(path.join(root, 'alias/a.jsonl'), roots, 'p'), path.join(root, 'data/a.jsonl'));
});

test('a root reached through a symlink still confines by its real folder', (t) => {
  const { base, root, outside } = layout(t);
  fs.symlinkSync(root, path.join(base, 'root-link'));
  const roots = { dirs: [path.join(base, 'root-link')], setting: 'S' };
  assert.equal(resolveInRoots(path.join(root, 'data/a.jsonl'), roots, 'p'), path.join(root, 'data/a.jsonl'));
  refused(() => resolveInRoots(path.join(outside, 'secret.txt'), roots, 'p'), PATH_OUTSIDE_ROOTS, 403, 'p');
});

test('odd file names: spaces, unicode, newlines and leading dashes stay paths; NUL and empty are 400', (t) => {
  const { root, roots } = layout(t);
  for (const name of ['a b.jsonl', 'données ✓.jsonl', 'line\nbreak.jsonl', '-rf', '..hidden', '...']) {
    fs.writeFileSync(path.join(root, 'data', name), '');
    assert.equal(resolveInRoots(path.join(root, 'data', name), roots, 'p'), path.join(root, 'data', name));
  }
  refused(() => resolveInRoots(`${root}/data/a\0.jsonl`, roots, 'p'), PATH_INVALID, 400, 'p');
  refused(() => resolveInRoots('', roots, 'p'), PATH_INVALID, 400, 'p');
  refused(() => resolveInRoots('x'.repeat(5000), roots, 'p'), PATH_INVALID, 400, 'p');
});

test('a symlink loop is a 403, and no root at all refuses everything', (t) => {
  const { root, roots } = layout(t);
  fs.symlinkSync(path.join(root, 'loop-b'), path.join(root, 'loop-a'));
  fs.symlinkSync(path.join(root, 'loop-a'), path.join(root, 'loop-b'));
  refused(() => resolveInRoots(path.join(root, 'loop-a/x'), roots, 'p'), PATH_OUTSIDE_ROOTS, 403, 'p');
  refused(
    () => resolveInRoots(path.join(root, 'data/a.jsonl'), { dirs: [], setting: 'S' }, 'p'),
    PATH_OUTSIDE_ROOTS,
    403,
    'p',
  );
});

test('the 403 message names the setting, not the server folders or the file contents', (t) => {
  const { outside, roots, root } = layout(t);
  try {
    resolveInRoots(path.join(outside, 'secret.txt'), roots, 'data.path');
    assert.fail('expected a 403');
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, /data\.path is outside/);
    assert.match(msg, /X_DATA_ROOT \(--data-root\)/);
    assert.doesNotMatch(msg, /root:x/);
    assert.ok(!msg.includes(root));
  }
});

test('root lists are comma-separated and resolve against cwd', () => {
  assert.deepEqual(parseRootList(' data , /srv/models ,,', '/w'), ['/w/data', '/srv/models']);
  assert.deepEqual(parseRootList('', '/w'), []);
});

test('loopback hosts are recognised; wildcard and public addresses are not', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
});

test('a non-loopback host with no keys refuses to start unless allowOpen; the message says how to set keys', () => {
  assert.throws(
    () => checkOpenBinding({ host: '0.0.0.0', allowOpen: false }, 0, 'GRPO_REWARD_'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.envVar, 'GRPO_REWARD_ALLOW_OPEN');
      assert.match(e.message, /GRPO_REWARD_API_KEYS/);
      assert.match(e.message, /grpo keys/);
      assert.match(e.message, /--allow-open/);
      return true;
    },
  );
  checkOpenBinding({ host: '0.0.0.0', allowOpen: true }, 0, 'GRPO_REWARD_');
  checkOpenBinding({ host: '0.0.0.0', allowOpen: false }, 1, 'GRPO_REWARD_');
  checkOpenBinding({ host: '127.0.0.1', allowOpen: false }, 0, 'GRPO_REWARD_');
});

test('createServer on 0.0.0.0 without keys fails the start; with a key, or allowOpen, it starts', async () => {
  await assert.rejects(buildTestApp({ host: '0.0.0.0' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'GRPO_CONFIG_INVALID');
    assert.equal(e.field, 'allowOpen');
    assert.match(e.message, /TEST_API_KEYS/);
    return true;
  });
  const withKey = await buildTestApp({ host: '0.0.0.0', apiKeys: 'ops:0123456789abcdef0123' });
  await withKey.close();
  const open = await buildTestApp({ host: '::', allowOpen: true });
  await open.close();
});
