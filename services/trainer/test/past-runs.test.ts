import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { MetricsResponse, RunList, RunStatus } from '@grpo/contracts';
import { buildTrainerServer, loadTrainerConfig, STATUS_FILE } from '../src/index.js';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

/** A trainer on `runsDir` that the test closes itself (to restart another one on the same folder). */
async function ownTrainer(runsDir: string) {
  // dataRoot: the failed run names a data file there that does not exist.
  const config = loadTrainerConfig(
    { logLevel: 'silent', runsDir, dataRoot: runsDir, sseHeartbeatMs: 200 },
    {},
  );
  return buildTrainerServer({ config, logger: false, defaultMetrics: false });
}

test('a restarted trainer lists the completed, stopped and failed runs of its runs directory', async (t) => {
  const dir = await tempDir(t);
  const first = await ownTrainer(dir);
  const post = async (payload: unknown) => {
    const res = await first.inject({ method: 'POST', url: '/v1/runs', payload });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as RunStatus).id;
  };
  const done = await post(sftRunConfig(4, { name: 'done' }));
  await waitForState(first, done, ['completed']);
  const stopped = await post(sftRunConfig(40, { name: 'stopped' }));
  await first.inject({ method: 'POST', url: `/v1/runs/${stopped}/stop` });
  await waitForState(first, stopped, ['stopped']);
  const failed = await post(
    sftRunConfig(4, { name: 'failed', data: { path: path.join(dir, 'missing.jsonl') } as never }),
  );
  await waitForState(first, failed, ['failed']);
  await Promise.all([done, stopped, failed].map((id) => first.runs.get(id).done));
  const before = (await first.inject({ method: 'GET', url: `/v1/runs/${done}` })).json() as RunStatus;
  await first.close();

  // A run directory from before status.json existed: its status is rebuilt from its files.
  const legacyDir = path.join(dir, 'legacy');
  await fs.cp(before.runDir, legacyDir, { recursive: true });
  await fs.rm(path.join(legacyDir, STATUS_FILE));
  await fs.writeFile(
    path.join(legacyDir, 'run.json'),
    JSON.stringify({ id: 'legacy', createdAt: '2999-01-01T00:00:00.000Z', name: 'done' }),
  );
  // A run whose process died mid-run (status.json still says running) is resumable: stopped.
  const killedDir = path.join(dir, 'killed');
  await fs.cp(before.runDir, killedDir, { recursive: true });
  await fs.writeFile(
    path.join(killedDir, STATUS_FILE),
    JSON.stringify({
      ...before,
      id: 'killed',
      runDir: '/elsewhere',
      state: 'running',
      createdAt: '2999-01-02T00:00:00.000Z',
    }),
  );
  // ... and its files went two steps further than that status.json says.
  const rows = (await fs.readFile(path.join(killedDir, 'metrics.jsonl'), 'utf8')).split('\n');
  await fs.writeFile(path.join(killedDir, 'metrics.jsonl'), `${rows.slice(0, 2).join('\n')}\n`);
  await fs.mkdir(path.join(dir, 'not-a-run'));

  const second = await trainerApp(t, dir);
  const { runs } = (await second.inject({ method: 'GET', url: '/v1/runs' })).json() as RunList;
  assert.deepEqual(
    runs.map((r) => [r.id, r.name, r.state, r.step, r.error?.code]),
    [
      [done, 'done', 'completed', 4, undefined],
      [stopped, 'stopped', 'stopped', 0, undefined],
      [failed, 'failed', 'failed', 0, 'GRPO_TRAINER_BAD_CONFIG'],
      ['legacy', 'done', 'completed', 4, undefined],
      ['killed', 'done', 'stopped', 2, undefined],
    ],
  );
  const [a, , , legacy, killed] = runs as RunStatus[];
  assert.deepEqual(a, before, 'the same status as the trainer that ran it reported');
  assert.equal(killed?.runDir, killedDir, 'the folder it was found in, not the one recorded');
  assert.deepEqual(
    legacy?.checkpoints.map((c) => [c.name, c.step, c.path]),
    [['0-sft', 4, path.join(legacyDir, 'checkpoints', '0-sft')]],
  );
  assert.deepEqual(legacy?.last, before.last);

  // Metrics and the event stream of a past run come from its files.
  const m = (
    await second.inject({ method: 'GET', url: `/v1/runs/${done}/metrics` })
  ).json() as MetricsResponse;
  assert.deepEqual(
    m.rows.map((r) => r.step),
    [1, 2, 3, 4],
  );
  const events = await second.inject({ method: 'GET', url: `/v1/runs/${done}/events` });
  const types = [...events.body.matchAll(/^event: (\w+)$/gm)].map((x) => x[1]);
  assert.deepEqual(types, ['status', 'step', 'step', 'step', 'step', 'end']);

  // A listed stopped run resumes and completes.
  const res = await second.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: { resume: path.join(dir, stopped) },
  });
  assert.equal(res.statusCode, 201, res.body);
  const resumed = await waitForState(second, stopped, ['completed', 'failed'], 120_000);
  assert.equal(resumed.state, 'completed', JSON.stringify(resumed.error));
  assert.equal(resumed.step, 40);
  const after = (await second.inject({ method: 'GET', url: '/v1/runs' })).json() as RunList;
  assert.equal(after.runs.length, 5);
});
