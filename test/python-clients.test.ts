// Runs the standard-library Python clients (libs/clients/python) with python3 against the real
// reward service, listening on loopback, and against small Node servers that fail on purpose.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTinyPolicy } from '@grpo/model';
import { buildRewardServer, loadRewardConfig } from '@grpo/reward-service';
import { startRolloutServer } from '@grpo/rollout-service';
import type { KitApp } from '@grpo/service-kit';
import { startTrainerServer } from '@grpo/trainer-service';

const PY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../libs/clients/python');
const PYTHON = process.env.PYTHON ?? 'python3';
/** Bound on one python3 run; the slowest (the unittest suite) takes about 5 s on 2 cores. */
const PY_TIMEOUT_MS = 120_000;

interface PyRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runPython(args: string[], url: string, extraEnv: Record<string, string> = {}): Promise<PyRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GRPO_REWARD_URL: url,
    PYTHONDONTWRITEBYTECODE: '1',
    ...extraEnv,
  };
  delete env.GRPO_REWARD_SPEC;
  delete env.GRPO_REWARD_API_KEY;
  return new Promise((resolve) => {
    execFile(PYTHON, args, { cwd: PY_DIR, env, timeout: PY_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

type Handler = (n: number, body: unknown, res: ServerResponse) => void;

/** A loopback server whose n-th request (1-based) is answered by `handler`. */
async function stubServer(
  handler: Handler,
): Promise<{ url: string; count: () => number; close: () => void }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n += 1;
      handler(n, JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'), res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function okResults(body: unknown): unknown {
  const items = (body as { items: { id: string }[] }).items;
  return {
    results: items.map((it) => ({
      id: it.id,
      total: 1,
      components: [{ name: 'accuracy', weight: 1, score: 1, weighted: 1, status: 'ok' }],
    })),
    stats: {},
  };
}

let app: KitApp;
let serviceUrl = '';

before(async () => {
  // One worker keeps the load low; a 20 s item budget (default 2 s) because the first code
  // item pays the sandbox start, which can take seconds on a loaded 2-core CI machine.
  const config = loadRewardConfig({ workers: 1, itemTimeoutMs: 20_000, logLevel: 'silent' }, {});
  app = await buildRewardServer({ config, logger: false, defaultMetrics: false });
  serviceUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(() => app.close());

test('the verl example scores right, wrong and unanswered math and code samples exactly', async () => {
  const run = await runPython(['examples/verl_example.py'], serviceUrl);
  assert.equal(run.code, 0, run.stderr);
  const scores = Object.fromEntries(jsonLines(run.stdout).map((l) => [`${l.manager}:${l.case}`, l.score]));
  const expected = {
    right_formatted: 2,
    wrong_formatted: 1,
    right_unformatted: 1,
    no_answer: 0,
    code_all_pass: 1,
    code_half_pass: 0.5,
  };
  for (const [name, score] of Object.entries(expected)) {
    assert.equal(scores[`naive:${name}`], score, `naive ${name}`);
    assert.equal(scores[`batch:${name}`], score, `batch ${name}`);
  }
  const dict = jsonLines(run.stdout).find((l) => l.manager === 'naive_dict');
  assert.deepEqual(dict?.details, { score: 2, accuracy: 1, format: 1 });
});

test('the TRL example scores plain and conversational completions and a chosen spec', async () => {
  const run = await runPython(['examples/trl_example.py'], serviceUrl);
  assert.equal(run.code, 0, run.stderr);
  const calls = Object.fromEntries(jsonLines(run.stdout).map((l) => [l.call, l.rewards]));
  assert.deepEqual(calls, {
    standard: [2, 1, 1],
    conversational: [2, 1],
    accuracy_only: [1, 0, 1],
    sync: [2],
  });
});

test('the OpenRLHF check gets rewards, scores and extra_logs from /get_reward', async () => {
  const run = await runPython(['examples/openrlhf_check.py', `${serviceUrl}/get_reward`], serviceUrl);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(jsonLines(run.stdout), [
    { case: 'right_formatted', reward: 2, score: 2, accuracy: 1, format: 1 },
    { case: 'wrong_formatted', reward: 1, score: 1, accuracy: 0, format: 1 },
    { case: 'right_unformatted', reward: 1, score: 1, accuracy: 1, format: 0 },
  ]);
});

test('the OpenRLHF check exits 1 when a deployment answers with the wrong number of rewards', async (t) => {
  const stub = await stubServer((_n, _body, res) =>
    sendJson(res, 200, { rewards: [1], scores: [1], extra_logs: {} }),
  );
  t.after(stub.close);
  const run = await runPython(['examples/openrlhf_check.py', `${stub.url}/get_reward`], stub.url);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /rewards must be a list of 3 numbers/);
});

test('the Python unittest suite passes against the running service', async () => {
  const run = await runPython(['-m', 'unittest', '-v', 'test_grpo_reward'], serviceUrl);
  assert.equal(run.code, 0, run.stderr);
  const ran = Number(run.stderr.match(/^Ran (\d+) tests?/m)?.[1] ?? 0);
  assert.ok(ran >= 26, `ran ${ran} tests`);
  assert.doesNotMatch(run.stderr, /skipped/);
});

const SCORE_ONE = [
  'import json, time, grpo_reward as g',
  'c = g.RewardClient(timeout_s=TIMEOUT, max_retries=RETRIES, backoff_s=0.05)',
  't0 = time.monotonic()',
  'try:',
  '    res = c.score([{"completion": "a", "reference": "1"}], [{"name": "accuracy"}])',
  '    print(json.dumps({"totals": [r["total"] for r in res], "s": time.monotonic() - t0}))',
  'except g.RewardServiceError as e:',
  '    print(json.dumps({"code": e.code, "field": e.field, "status": e.status, "s": time.monotonic() - t0}))',
].join('\n');

function scoreOne(timeoutS: number, retries: number): string {
  return SCORE_ONE.replace('TIMEOUT', String(timeoutS)).replace('RETRIES', String(retries));
}

test('the client retries two 503 answers and returns the third', async (t) => {
  const stub = await stubServer((n, body, res) =>
    n <= 2
      ? sendJson(res, 503, { error: { code: 'GRPO_BUSY', message: 'busy', statusCode: 503 } })
      : sendJson(res, 200, okResults(body)),
  );
  t.after(stub.close);
  const run = await runPython(['-c', scoreOne(5, 4)], stub.url);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(jsonLines(run.stdout)[0]?.totals, [1]);
  assert.equal(stub.count(), 3);
});

test('the client waits for Retry-After on a 429 before retrying', async (t) => {
  const stub = await stubServer((n, body, res) =>
    n === 1 ? sendJson(res, 429, {}, { 'retry-after': '1' }) : sendJson(res, 200, okResults(body)),
  );
  t.after(stub.close);
  const run = await runPython(['-c', scoreOne(5, 4)], stub.url);
  assert.equal(run.code, 0, run.stderr);
  const out = jsonLines(run.stdout)[0]!;
  assert.deepEqual(out.totals, [1]);
  assert.ok((out.s as number) >= 0.95, `waited ${out.s} s`);
  assert.equal(stub.count(), 2);
});

test('a server that never answers makes the client raise a timeout within its budget', async (t) => {
  const stub = await stubServer(() => {});
  t.after(stub.close);
  const run = await runPython(['-c', scoreOne(0.5, 1)], stub.url);
  assert.equal(run.code, 0, run.stderr);
  const out = jsonLines(run.stdout)[0]!;
  assert.equal(out.code, 'GRPO_CLIENT_TIMEOUT');
  assert.equal(out.status, null);
  // Two attempts of 0.5 s, one backoff of at most 0.05 s, and process slack.
  assert.ok((out.s as number) >= 1 && (out.s as number) < 2.5, `raised after ${out.s} s`);
  assert.equal(stub.count(), 2);
});

test('a 4xx from the service surfaces its code, field and status without a retry', async () => {
  const code = [
    'import json, grpo_reward as g',
    'c = g.RewardClient(max_retries=3)',
    'sleeps = []',
    'c._sleep = sleeps.append',
    'try:',
    '    c.score([{"completion": "x"}], [{"name": "accuracy"}, {"name": "no_such_fn"}])',
    'except g.RewardServiceError as e:',
    '    print(json.dumps({"code": e.code, "field": e.field, "status": e.status, "sleeps": len(sleeps)}))',
  ].join('\n');
  const run = await runPython(['-c', code], serviceUrl);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(jsonLines(run.stdout)[0], {
    code: 'GRPO_REWARD_UNKNOWN_FN',
    field: 'rewards[1].name',
    status: 400,
    sleeps: 0,
  });
});

test('the rollout and trainer clients (grpo_services) pass their unittest suite against running services with keys', async (t) => {
  const tmp = await mkdtemp(path.join(tmpdir(), 'grpo-py-services-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const policy = await createTinyPolicy({ dir: path.join(tmp, 'policy'), seed: 1 });
  const rolloutKey = 'py-rollout-key-0123456789';
  const trainerKey = 'py-trainer-key-0123456789';
  const rollout = await startRolloutServer(
    { port: 0, logLevel: 'silent', model: policy.dir, apiKeys: `py:${rolloutKey}` },
    { signals: [], env: {} },
  );
  t.after(() => rollout.close());
  const trainer = await startTrainerServer(
    {
      port: 0,
      logLevel: 'silent',
      runsDir: path.join(tmp, 'runs'),
      apiKeys: `py:${trainerKey}`,
      rolloutApiKey: rolloutKey,
    },
    { signals: [] },
  );
  t.after(() => trainer.close());
  const run = await runPython(['-m', 'unittest', '-v', 'test_grpo_services'], serviceUrl, {
    GRPO_ROLLOUT_URL: rollout.url,
    GRPO_ROLLOUT_API_KEY: rolloutKey,
    GRPO_TRAINER_URL: trainer.url,
    GRPO_TRAINER_API_KEY: trainerKey,
    GRPO_TEST_POLICY_DIR: policy.dir,
  });
  assert.equal(run.code, 0, run.stderr);
  const ran = Number(run.stderr.match(/^Ran (\d+) tests?/m)?.[1] ?? 0);
  assert.ok(ran >= 11, `ran ${ran} tests`);
  assert.doesNotMatch(run.stderr, /skipped/);
});
