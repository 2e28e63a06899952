import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { RunStatus } from '@grpo/contracts';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

/** runs/ (the runs dir), data/ (the data root, with train.jsonl), secret/ (outside every root). */
async function layout(t: import('node:test').TestContext) {
  const base = await fs.realpath(await tempDir(t, 'grpo-trainer-paths-'));
  const runs = path.join(base, 'runs');
  const data = path.join(base, 'data');
  const secret = path.join(base, 'secret');
  await Promise.all([runs, data, secret].map((d) => fs.mkdir(d)));
  const line = (i: number) =>
    JSON.stringify({ prompt: `${i}+1=`, answer: String(i + 1), completion: `${i + 1}` });
  await fs.writeFile(path.join(data, 'train.jsonl'), `${[1, 2, 3, 4].map(line).join('\n')}\n`);
  await fs.writeFile(path.join(secret, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  const app = await trainerApp(t, runs, { dataRoot: data, modelRoot: path.join(base, 'models') });
  return { base, runs, data, secret, app };
}

const jsonlConfig = (p: string, extra: Record<string, unknown> = {}) =>
  sftRunConfig(2, { data: { path: p }, ...extra } as never);

async function post(app: Awaited<ReturnType<typeof layout>>['app'], payload: unknown) {
  const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: payload as object });
  return { status: res.statusCode, body: res.json() };
}

test('data paths outside the data root are 403 with the field, before a run directory is made', async (t) => {
  const { app, runs, data, secret } = await layout(t);
  await fs.symlink(path.join(secret, 'passwd'), path.join(data, 'link.jsonl'));
  const cases: [Record<string, unknown>, string][] = [
    [{ path: '/etc/passwd' }, 'data.path'],
    [{ path: path.join(data, '..', 'secret', 'passwd') }, 'data.path'],
    [{ path: path.join(data, 'link.jsonl') }, 'data.path'],
    [{ path: path.join(data, 'train.jsonl'), evalPath: '/etc/hostname' }, 'data.evalPath'],
    [{ path: path.join(data, 'train.jsonl'), rlPath: `${data}/../secret/passwd` }, 'data.rlPath'],
  ];
  for (const [d, field] of cases) {
    const r = await post(app, sftRunConfig(2, { data: d } as never));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'GRPO_PATH_OUTSIDE_ROOTS');
    assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, /GRPO_TRAINER_DATA_ROOT \(--data-root\)/);
  }
  assert.deepEqual(await fs.readdir(runs), []);
});

test('model folders, runDir and resume outside their roots are 403 with the field', async (t) => {
  const { app, runs, data } = await layout(t);
  const train = path.join(data, 'train.jsonl');
  const cases: [unknown, string][] = [
    [jsonlConfig(train, { model: '/etc' }), 'model'],
    [jsonlConfig(train, { model: path.join(runs, '..', 'secret') }), 'model'],
    [jsonlConfig(train, { runDir: '/tmp/grpo-evil-run' }), 'runDir'],
    [jsonlConfig(train, { runDir: path.join(runs, '..', 'escape') }), 'runDir'],
    [jsonlConfig(train, { runDir: runs }), 'runDir'],
    [{ resume: '/etc' }, 'resume'],
    [{ resume: path.join(runs, '..') }, 'resume'],
  ];
  for (const [payload, field] of cases) {
    const r = await post(app, payload);
    assert.equal(r.status, 403, `${JSON.stringify(payload)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'GRPO_PATH_OUTSIDE_ROOTS');
    assert.equal(r.body.error.field, field);
  }
  assert.deepEqual(await fs.readdir(runs), []);
});

test("a PPO stage's critic folder outside the model roots is 403 with the field, and one inside without a config is 400", async (t) => {
  const { app, base, data, secret } = await layout(t);
  const train = path.join(data, 'train.jsonl');
  const ppo = (init: string) => ({
    ...jsonlConfig(train),
    rolloutUrl: 'http://127.0.0.1:9',
    rewardUrl: 'http://127.0.0.1:9',
    stages: [{ type: 'grpo', steps: 1, algorithm: { name: 'ppo', overrides: { critic: { init } } } }],
  });
  const field = 'stages[0].algorithm.overrides.critic.init';
  for (const init of ['/etc', secret, path.join(base, 'models', '..', 'secret')]) {
    const r = await post(app, ppo(init));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'GRPO_PATH_OUTSIDE_ROOTS');
    assert.equal(r.body.error.field, field);
  }
  await fs.mkdir(path.join(base, 'models', 'empty'), { recursive: true });
  const r = await post(app, ppo(path.join(base, 'models', 'empty')));
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.field, field);
  assert.doesNotMatch(r.body.error.message, new RegExp(base));
});

test('a data file with odd characters in its name inside the root trains; its run dir stays below runs', async (t) => {
  const { app, runs, data } = await layout(t);
  const odd = path.join(data, 'données -rf ✓ (1).jsonl');
  await fs.copyFile(path.join(data, 'train.jsonl'), odd);
  const r = await post(app, jsonlConfig(odd, { runDir: path.join(runs, 'named run') }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const done = await waitForState(app, (r.body as RunStatus).id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(done.runDir, path.join(runs, 'named run'));
});

test('a data file that is not JSONL fails the run with its line number, never its contents', async (t) => {
  const { app, data } = await layout(t);
  await fs.writeFile(path.join(data, 'copy.jsonl'), 'root:x:0:0:root:/root:/bin/bash\n');
  const r = await post(app, jsonlConfig(path.join(data, 'copy.jsonl')));
  assert.equal(r.status, 201);
  const done = await waitForState(app, (r.body as RunStatus).id, ['completed', 'failed']);
  assert.equal(done.state, 'failed');
  assert.equal(done.error?.code, 'GRPO_TRAINER_BAD_CONFIG');
  assert.match(done.error?.message ?? '', /copy\.jsonl:1: not valid JSON/);
  assert.doesNotMatch(done.error?.message ?? '', /root:x|bin\/bash/);
});

test('resuming a run whose data now lies outside the roots is refused', async (t) => {
  const { runs, data } = await layout(t);
  const runDir = path.join(runs, 'old');
  await fs.mkdir(runDir);
  await fs.writeFile(
    path.join(runDir, 'config.json'),
    JSON.stringify(jsonlConfig(path.join(data, '..', 'secret', 'passwd'))),
  );
  const app = await trainerApp(t, runs, { dataRoot: data });
  const r = await post(app, { resume: runDir });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.equal(r.body.error.field, 'data.path');
});

test('a run name is a label: one made of ../ and slashes still runs in <runsDir>/<generated id>', async (t) => {
  const { app, runs, data } = await layout(t);
  const r = await post(app, jsonlConfig(path.join(data, 'train.jsonl'), { name: '../../../etc/evil' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const status = r.body as RunStatus;
  assert.equal(path.dirname(status.runDir), runs);
  assert.match(path.basename(status.runDir), /^run-\d{8}-\d{6}-[0-9a-f]{6}$/);
  const done = await waitForState(app, status.id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.deepEqual(await fs.readdir(runs), [path.basename(status.runDir)]);
});
