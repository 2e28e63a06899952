// The committed OpenAPI documents against the three running services, listening on 127.0.0.1
// with API keys: each serves the committed document at /openapi.json, and every operation of
// every document is called through the generated clients with a middleware that validates each
// real response (status, content type, body) against the document.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  createRewardClient,
  createRolloutClient,
  createTrainerClient,
  type RunStatusBody,
  ServiceClientError,
  type TypedClientOptions,
} from '@grpo/clients';
import { createTinyPolicy, type Policy } from '@grpo/model';
import { type StartedRewardServer, startRewardServer } from '@grpo/reward-service';
import { type StartedRolloutServer, startRolloutServer } from '@grpo/rollout-service';
import { type StartedTrainerServer, startTrainerServer } from '@grpo/trainer-service';
import { committedSpec, SERVICES, type Service, SpecCheck } from './openapi-check.js';

const KEY = 'contract-test-key-0123456789';
let tmp: string;
let policy: Policy;
let reward: StartedRewardServer;
let rollout: StartedRolloutServer;
let trainer: StartedTrainerServer;
const urls = {} as Record<Service, string>;
const checks = Object.fromEntries(SERVICES.map((s) => [s, new SpecCheck(committedSpec(s))])) as Record<
  Service,
  SpecCheck
>;

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'grpo-openapi-live-'));
  policy = await createTinyPolicy({ dir: path.join(tmp, 'policy'), seed: 1 });
  const keyed = { port: 0, logLevel: 'silent', apiKeys: `contract:${KEY}` };
  reward = await startRewardServer({ ...keyed, workers: 1 }, { signals: [] });
  // Paths the requests name lie inside the roots the services are given (tmp holds the policy
  // folder and the trainer's runs directory).
  rollout = await startRolloutServer(
    { ...keyed, model: policy.dir, modelRoot: tmp },
    { signals: [], env: {} },
  );
  trainer = await startTrainerServer(
    { ...keyed, runsDir: path.join(tmp, 'runs'), modelRoot: tmp, rolloutApiKey: KEY, rewardApiKey: KEY },
    { signals: [] },
  );
  Object.assign(urls, { reward: reward.url, rollout: rollout.url, trainer: trainer.url });
});

after(async () => {
  await trainer?.close();
  await rollout?.close();
  await reward?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** A generated client of service `s` whose every response is checked against its document. */
const client = <T>(make: (o: TypedClientOptions) => T, s: Service, apiKey?: string) =>
  make({ baseUrl: urls[s], apiKey, retries: 0, middleware: [checks[s].middleware()] });

/** Resolves with the ServiceClientError a call throws. */
async function failure(p: Promise<unknown>): Promise<ServiceClientError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ServiceClientError, String(err));
    return err;
  }
  assert.fail('the call succeeded');
}

for (const service of SERVICES) {
  test(`the running ${service} service serves openapi/${service}.json unchanged at /openapi.json`, async () => {
    const res = await fetch(`${urls[service]}/openapi.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), committedSpec(service));
  });
}

test('every reward operation answers as its document says', async () => {
  const c = client(createRewardClient, 'reward', KEY);
  assert.equal((await c.health()).status, 'ok');
  assert.equal((await c.ready()).status, 'ready');
  assert.ok((await c.functions()).functions.some((f) => f.name === 'accuracy'));
  const scored = await c.score({
    items: [
      {
        id: 'a',
        prompt: 'What is 2 + 3?',
        completion: '<think>\n2 + 3 = 5\n</think>\n<answer>\n5\n</answer>',
        reference: '5',
      },
    ],
    rewards: [{ name: 'accuracy' }, { name: 'format', weight: 0.5 }],
  });
  assert.equal(scored.results[0]!.total, 1.5);
  const openrlhf = await c.getReward({ query: ['What is 2 + 3? The answer is 5'], labels: ['5'] });
  assert.deepEqual(openrlhf.rewards.length, 1);
  const bad = await failure(c.score({ items: [], rewards: [{ name: 'no_such_fn' }] }));
  assert.deepEqual([bad.statusCode, bad.code], [400, 'GRPO_REWARD_UNKNOWN_FN']);
  const metrics = await c.raw.GET('/metrics', { parseAs: 'text' });
  assert.match(metrics.data ?? '', /grpo_reward_http_request_duration_seconds/);
  const anonymous = client(createRewardClient, 'reward');
  assert.equal((await failure(anonymous.functions())).statusCode, 401);
});

test('every rollout operation answers as its document says', async () => {
  const c = client(createRolloutClient, 'rollout', KEY);
  assert.equal((await c.health()).status, 'ok');
  assert.equal((await c.ready()).status, 'ready');
  const info = await c.policy();
  assert.equal(info.path, policy.dir);
  const out = await c.rollouts({
    prompts: [{ text: 'What is 2 + 3?' }],
    groupSize: 2,
    maxTokens: 8,
    seed: 5,
  });
  assert.equal(out.groups[0]!.completions.length, 2);
  assert.equal((await c.models()).data[0]!.id, info.model);
  const done = await c.completions({ model: info.model, prompt: '1 + 1 =', max_tokens: 4, seed: 1 });
  assert.equal(done.choices.length, 1);
  const chat = await c.chatCompletions({
    model: info.model,
    messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    max_tokens: 4,
    seed: 1,
  });
  assert.equal(chat.choices.length, 1);
  const swapped = await c.putPolicy({ path: policy.dir });
  assert.equal(swapped.version, swapped.previousVersion + 1);
  assert.equal((await c.updateWeightsFromDisk({ model_path: policy.dir })).success, true);
  const file = (await readdir(policy.dir)).find((f) => f.endsWith('.safetensors'))!;
  const uploaded = await c.uploadWeights(await readFile(path.join(policy.dir, file)));
  assert.equal(uploaded.version, swapped.version + 2);
  const bad = await failure(c.rollouts({ prompts: [], groupSize: 1 }));
  assert.equal(bad.statusCode, 400);
  assert.equal((await failure(client(createRolloutClient, 'rollout').policy())).statusCode, 401);
  const metrics = await client(createRolloutClient, 'rollout').raw.GET('/metrics', { parseAs: 'text' });
  assert.match(metrics.data ?? '', /grpo_rollout_policy_version/);
});

test('every trainer operation answers as its document says, with a run that calls rollout and reward', async () => {
  const c = client(createTrainerClient, 'trainer', KEY);
  assert.equal((await c.health()).status, 'ok');
  assert.equal((await c.ready()).status, 'ready');
  const created = await c.createRun({
    name: 'contract',
    model: { tiny: { hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1 } },
    data: { builtin: 'arithmetic', train: { count: 16, maxDigits: 2, zhFraction: 0 } },
    stages: [
      { type: 'sft', steps: 2, batch: 4 },
      { type: 'grpo', steps: 1, batch: 2, groupSize: 2, sampling: { temperature: 1, maxTokens: 8 } },
    ],
    rolloutUrl: urls.rollout,
    rewardUrl: urls.reward,
  });
  let status: RunStatusBody = created;
  for (const deadline = Date.now() + 120_000; status.state !== 'completed'; ) {
    assert.notEqual(status.state, 'failed', JSON.stringify(status.error));
    assert.ok(Date.now() < deadline, `run at step ${status.step} (${status.state})`);
    await new Promise((r) => setTimeout(r, 100));
    status = await c.getRun(created.id);
  }
  assert.equal(status.step, 3);
  assert.ok((await c.listRuns()).runs.some((r) => r.id === created.id));
  const metrics = await c.metrics(created.id, { since: '1' });
  assert.deepEqual(
    metrics.rows.map((r) => [r.step, r.stageType]),
    [
      [2, 'sft'],
      [3, 'grpo'],
    ],
  );
  assert.equal((await c.stopRun(created.id)).state, 'completed');
  const events = await c.raw.GET('/v1/runs/{id}/events', {
    params: { path: { id: created.id } },
    parseAs: 'stream',
  });
  assert.equal(events.response.status, 200);
  await events.response.body?.cancel();
  const missing = await failure(c.getRun('no-such-run'));
  assert.equal(missing.statusCode, 404);
  assert.equal((await failure(client(createTrainerClient, 'trainer').listRuns())).statusCode, 401);
  const prom = await client(createTrainerClient, 'trainer').raw.GET('/metrics', { parseAs: 'text' });
  assert.match(prom.data ?? '', /grpo_trainer_http_request_duration_seconds/);
});

test('no response broke its document, and every operation of every document answered with a 2xx', () => {
  for (const service of SERVICES) {
    const check = checks[service];
    assert.deepEqual(check.failures, [], service);
    const seen = [...check.seen];
    for (const op of check.operations())
      assert.ok(
        seen.some((s) => s.startsWith(`${op} 2`)),
        `${service}: ${op} never answered 2xx (${seen.join(', ')})`,
      );
    assert.ok(
      seen.some((s) => / 4\d\d$/.test(s)),
      `${service}: no 4xx checked`,
    );
  }
});
