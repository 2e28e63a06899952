import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { createRolloutClient } from '@grpo/clients';
import type { PutPolicyRequest, RolloutRequest, RolloutResponse } from '@grpo/contracts';
import { createTinyPolicy, type Policy, PolicyScorer } from '@grpo/model';
import { type StartedRolloutServer, startRolloutServer } from '@grpo/rollout-service';
import OpenAI from 'openai';

// Rollout services on 127.0.0.1 (port 0) with tiny policies, called over real HTTP.
let tmp: string;
let policyA: Policy;
let policyB: Policy;
let server: StartedRolloutServer;

async function start(
  t: TestContext | null,
  overrides: Record<string, unknown>,
): Promise<StartedRolloutServer> {
  const s = await startRolloutServer(
    { port: 0, logLevel: 'silent', modelRoot: tmpdir(), ...overrides },
    { signals: [], env: {} },
  );
  t?.after(() => s.close());
  return s;
}

/**
 * POST /v1/rollouts or PUT /v1/policy through the rollout service's generated client
 * (openapi/rollout.json, no retries), keeping the status and the body (or error body) for the asserts.
 */
async function post<T>(url: string, body: unknown, method = 'POST'): Promise<{ status: number; body: T }> {
  const u = new URL(url);
  const { raw } = rolloutAt(u.origin);
  const r =
    method === 'PUT' && u.pathname === '/v1/policy'
      ? await raw.PUT('/v1/policy', { body: body as PutPolicyRequest })
      : u.pathname === '/v1/rollouts' && method === 'POST'
        ? await raw.POST('/v1/rollouts', { body: body as RolloutRequest })
        : assert.fail(`post: ${method} ${u.pathname} is not a route of this test`);
  return { status: r.response.status, body: (r.data ?? r.error) as T };
}

const rolloutAt = (url: string) => createRolloutClient({ baseUrl: url, retries: 0 });

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'grpo-rollout-e2e-'));
  policyA = await createTinyPolicy({ dir: path.join(tmp, 'policy-a'), seed: 1 });
  policyB = await createTinyPolicy({ dir: path.join(tmp, 'policy-b'), seed: 2 });
  server = await start(null, { model: policyA.dir });
});

after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

const messages = [
  { role: 'system', content: 'You are a calculator.' },
  { role: 'user', content: 'What is 6 * 7?' },
];
const request = {
  prompts: [{ text: 'What is 2 + 3?' }, { messages }, { tokenIds: [5, 17, 42, 99] }],
  groupSize: 4,
  temperature: 0.8,
  topP: 0.95,
  maxTokens: 16,
  seed: 1234,
};

/** Recomputes every completion's logprobs with libs/model's logprob graph and compares (1e-4). */
async function assertLogprobsMatch(policy: Policy, res: RolloutResponse, temperature: number): Promise<void> {
  const scorer = await PolicyScorer.create(policy.config, policy.tensors);
  try {
    const seqs = res.groups.flatMap((g) =>
      g.completions.map((c) => ({
        ids: [...g.promptTokenIds!, ...c.tokenIds],
        promptLength: g.promptTokenIds!.length,
      })),
    );
    const scores = await scorer.score(seqs, temperature);
    let k = 0;
    for (const g of res.groups) {
      for (const c of g.completions) {
        const want = scores[k++]!.logprobs;
        assert.equal(want.length, c.logprobs.length);
        for (const [i, lp] of c.logprobs.entries())
          assert.ok(Math.abs(lp - want[i]!) <= 1e-4, `token ${i}: ${lp} vs ${want[i]}`);
      }
    }
  } finally {
    await scorer.release();
  }
}

test('groups come back complete and well-formed for text, chat and token-id prompts', async () => {
  const { status, body } = await post<RolloutResponse>(`${server.url}/v1/rollouts`, request);
  assert.equal(status, 200);
  assert.equal(body.policyVersion, 1);
  assert.equal(body.model, 'policy-a');
  assert.equal(body.seed, 1234);
  assert.equal(body.groups.length, 3);
  const tok = policyA.tokenizer;
  assert.deepEqual(body.groups[0]!.promptTokenIds, tok.encode('What is 2 + 3?'));
  assert.deepEqual(body.groups[1]!.promptTokenIds, tok.encodeChat(messages));
  assert.deepEqual(body.groups[2]!.promptTokenIds, [5, 17, 42, 99]);
  const eos = policyA.config.eosTokenIds;
  let generated = 0;
  body.groups.forEach((g, i) => {
    assert.equal(g.seed, 1234 + i);
    assert.equal(g.completions.length, 4);
    for (const c of g.completions) {
      generated += c.tokenIds.length;
      assert.ok(c.tokenIds.length >= 1 && c.tokenIds.length <= 16);
      assert.equal(c.logprobs.length, c.tokenIds.length);
      for (const lp of c.logprobs) assert.ok(Number.isFinite(lp) && lp <= 0);
      const endsOnEos = eos.includes(c.tokenIds.at(-1)!);
      assert.equal(c.finishReason, endsOnEos ? 'stop' : 'length');
      if (!endsOnEos) assert.equal(c.tokenIds.length, 16);
      assert.equal(c.text, tok.decode(endsOnEos ? c.tokenIds.slice(0, -1) : c.tokenIds));
    }
  });
  assert.equal(body.usage.completionTokens, generated);
});

test('reported logprobs equal a recomputation with the libs/model logprob graph (1e-4)', async () => {
  for (const temperature of [1, 0.7]) {
    const { body } = await post<RolloutResponse>(`${server.url}/v1/rollouts`, {
      ...request,
      temperature,
      topP: 1,
    });
    await assertLogprobsMatch(policyA, body, temperature);
  }
});

test('the same seed gives the same groups; another seed gives others', async () => {
  const a = await post<RolloutResponse>(`${server.url}/v1/rollouts`, request);
  const b = await post<RolloutResponse>(`${server.url}/v1/rollouts`, request);
  const c = await post<RolloutResponse>(`${server.url}/v1/rollouts`, { ...request, seed: 99 });
  assert.deepEqual(
    a.body.groups.map((g) => g.completions.map((x) => x.tokenIds)),
    b.body.groups.map((g) => g.completions.map((x) => x.tokenIds)),
  );
  assert.notDeepEqual(a.body.groups[0]!.completions[0]!.tokenIds, c.body.groups[0]!.completions[0]!.tokenIds);
});

test('the official openai client works against /v1/completions and /v1/chat/completions', async () => {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((m) => m.id),
    ['policy-a'],
  );
  const cmpl = await client.completions.create({
    model: 'policy-a',
    prompt: 'What is 2 + 3?',
    n: 3,
    max_tokens: 10,
    temperature: 0.8,
    logprobs: 1,
    seed: 77,
  });
  assert.equal(cmpl.object, 'text_completion');
  assert.equal(cmpl.choices.length, 3);
  const viaRollouts = (
    await post<RolloutResponse>(`${server.url}/v1/rollouts`, {
      prompts: [{ text: 'What is 2 + 3?' }],
      groupSize: 3,
      maxTokens: 10,
      temperature: 0.8,
      seed: 77,
    })
  ).body.groups[0]!.completions;
  cmpl.choices.forEach((ch, j) => {
    assert.equal(ch.index, j);
    assert.equal(ch.text, viaRollouts[j]!.text);
    assert.equal(ch.finish_reason, viaRollouts[j]!.finishReason);
    assert.equal(ch.logprobs!.token_logprobs!.length, viaRollouts[j]!.tokenIds.length);
    for (const [k, lp] of ch.logprobs!.token_logprobs!.entries())
      assert.ok(Math.abs(lp - viaRollouts[j]!.logprobs[k]!) <= 1e-5);
  });
  assert.equal(
    cmpl.usage!.completion_tokens,
    viaRollouts.reduce((n, c) => n + c.tokenIds.length, 0),
  );

  const chat = await client.chat.completions.create({
    model: 'policy-a',
    messages: [{ role: 'user', content: 'What is 6 * 7?' }],
    n: 2,
    max_tokens: 8,
    logprobs: true,
    top_logprobs: 1,
    seed: 5,
  });
  assert.equal(chat.choices.length, 2);
  const chatRollouts = (
    await post<RolloutResponse>(`${server.url}/v1/rollouts`, {
      prompts: [{ messages: [{ role: 'user', content: 'What is 6 * 7?' }] }],
      groupSize: 2,
      maxTokens: 8,
      seed: 5,
    })
  ).body.groups[0]!.completions;
  chat.choices.forEach((ch, j) => {
    assert.equal(ch.message.role, 'assistant');
    assert.equal(ch.message.content, chatRollouts[j]!.text);
    assert.equal(ch.logprobs!.content!.length, chatRollouts[j]!.tokenIds.length);
    assert.equal(ch.logprobs!.content![0]!.top_logprobs.length, 1);
  });
});

test('a rollout service using another as its openai upstream returns the same groups for the same seed', async (t) => {
  // A closed port first: the engine must retry on the live upstream and mark the dead one down.
  const dead = await new Promise<string>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  const chain = await start(t, {
    engine: 'openai',
    upstreams: [dead, server.url],
    model: policyA.dir,
    upstreamBackoffMs: 10,
    upstreamCooldownMs: 60_000,
  });
  const direct = await post<RolloutResponse>(`${server.url}/v1/rollouts`, request);
  const viaChain = await post<RolloutResponse>(`${chain.url}/v1/rollouts`, request);
  assert.equal(viaChain.status, 200, JSON.stringify(viaChain.body));
  assert.deepEqual(
    viaChain.body.groups.map((g) => g.promptTokenIds),
    direct.body.groups.map((g) => g.promptTokenIds),
  );
  const strip = (r: RolloutResponse) =>
    r.groups.map((g) =>
      g.completions.map(({ tokenIds, text, finishReason, stopReason }) => ({
        tokenIds,
        text,
        finishReason,
        stopReason,
      })),
    );
  assert.deepEqual(strip(viaChain.body), strip(direct.body));
  for (const [i, g] of viaChain.body.groups.entries()) {
    for (const [j, c] of g.completions.entries()) {
      for (const [k, lp] of c.logprobs.entries())
        assert.ok(Math.abs(lp - direct.body.groups[i]!.completions[j]!.logprobs[k]!) <= 1e-5);
    }
  }
  const info = (await rolloutAt(chain.url).policy()) as {
    engine: string;
    upstreams: { url: string; healthy: boolean; failures: number }[];
  };
  assert.equal(info.engine, 'openai');
  assert.equal(info.upstreams[0]!.healthy, false);
  assert.ok(info.upstreams[0]!.failures >= 1);
  assert.equal(info.upstreams[1]!.healthy, true);
});

test('a weight swap mid-traffic loses no request and every response reports the version that produced it', async (t) => {
  const s = await start(t, { model: policyA.dir, batchWindowMs: 1 });
  const body = {
    prompts: [{ text: 'Count: 1, 2, 3' }, { text: 'abc' }],
    groupSize: 4,
    maxTokens: 24,
    temperature: 1,
    seed: 3,
  };
  const responses: RolloutResponse[] = [];
  let swapped = false;
  const worker = async () => {
    // Keep sending until the swap is done, then one more request each.
    for (let extra = 0; extra < 2; ) {
      const r = await post<RolloutResponse>(`${s.url}/v1/rollouts`, body);
      assert.equal(r.status, 200);
      responses.push(r.body);
      if (swapped) extra++;
    }
  };
  const swap = (async () => {
    await new Promise((r) => setTimeout(r, 30));
    const r = await post<{ version: number; previousVersion: number; model: string }>(
      `${s.url}/v1/policy`,
      { path: policyB.dir },
      'PUT',
    );
    swapped = true;
    return r;
  })();
  const [swapRes] = await Promise.all([swap, worker(), worker(), worker()]);
  assert.equal(swapRes.status, 200);
  assert.deepEqual(swapRes.body, { version: 2, previousVersion: 1, model: 'policy-b' });
  const versions = responses.map((r) => r.policyVersion);
  assert.ok(versions.includes(1) && versions.includes(2), `versions ${versions}`);
  // Each response's logprobs are those of the weights its version names.
  for (const r of responses) {
    assert.equal(r.model, r.policyVersion === 1 ? 'policy-a' : 'policy-b');
    await assertLogprobsMatch(r.policyVersion === 1 ? policyA : policyB, r, 1);
  }
  const info = await rolloutAt(s.url).policy();
  assert.deepEqual([info.version, info.model], [2, 'policy-b']);
});

test('PUT /v1/policy on an openai-engine service forwards the checkpoint to its upstreams', async (t) => {
  const upstream = await start(t, { model: policyA.dir });
  const chain = await start(t, { engine: 'openai', upstreams: [upstream.url], model: policyA.dir });
  const r = await post<{ version: number; previousVersion: number }>(
    `${chain.url}/v1/policy`,
    { path: policyB.dir },
    'PUT',
  );
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.previousVersion, r.body.version], [1, 2]);
  const up = await rolloutAt(upstream.url).policy();
  assert.deepEqual([up.version, up.model], [2, 'policy-b']);
  const bad = await post<{ error: { code: string } }>(
    `${chain.url}/v1/policy`,
    { path: path.join(tmp, 'missing') },
    'PUT',
  );
  assert.equal(bad.status, 502);
  assert.equal(bad.body.error.code, 'GRPO_ROLLOUT_UPSTREAM');
});
