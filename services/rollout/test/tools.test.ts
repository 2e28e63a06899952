import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import type { RolloutResponse, ToolsSpec } from '@grpo/contracts';
import { type Policy, PolicyScorer } from '@grpo/model';
import { buildRolloutServer, loadRolloutConfig } from '../src/index.js';
import { InProcessExecutor, RestExecutor, type ToolExecutor, toolInsertText } from '../src/tools/index.js';
import { encodeTrace, TRACES, toolPolicy } from './tool-policy.js';

/**
 * Contract tests of tool-integrated rollouts on the real engine and the real sandbox: a tiny
 * policy that memorised tool traces (tool-policy.ts) samples greedily, so each prompt makes the
 * call its trace makes and the outcome is fixed.
 */

let policy: Policy;
const cleanups: (() => Promise<void>)[] = [];
before(async () => {
  policy = await toolPolicy((fn) => cleanups.push(fn));
});
after(async () => {
  for (const fn of cleanups) await fn();
});
const policyOnce = async (_t: TestContext) => policy;

async function rollout(
  t: TestContext,
  policy: Policy,
  executor: ToolExecutor,
  body: { prompts: string[]; tools?: ToolsSpec; maxTokens?: number; groupSize?: number },
): Promise<{ status: number; json: RolloutResponse & { error?: { code: string; field?: string } } }> {
  const config = loadRolloutConfig({ logLevel: 'silent', model: policy.dir }, {});
  const app = await buildRolloutServer({
    config,
    logger: false,
    defaultMetrics: false,
    toolExecutor: executor,
  });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rollouts',
    payload: {
      prompts: body.prompts.map((text) => ({ text })),
      temperature: 0,
      maxTokens: body.maxTokens ?? 120,
      groupSize: body.groupSize ?? 1,
      seed: 1,
      ...(body.tools ? { tools: body.tools } : {}),
    },
  });
  return { status: res.statusCode, json: res.json() };
}

const inproc = (t: TestContext) => {
  const e = new InProcessExecutor(1);
  t.after(() => e.close());
  return e;
};
const JS: ToolsSpec = { names: ['javascript'] };

test('a tool rollout returns prompt + engine ids + the tokenized tool output, masked and with logprob 0', async (t) => {
  const policy = await policyOnce(t);
  const { status, json } = await rollout(t, policy, inproc(t), { prompts: ['A:'], tools: JS });
  assert.equal(status, 200);
  const c = json.groups[0]!.completions[0]!;
  const want = encodeTrace(policy, TRACES[0]!);
  assert.deepEqual(json.groups[0]!.promptTokenIds, want.promptIds);
  assert.deepEqual(c.tokenIds, want.ids, `text: ${JSON.stringify(c.text)}`);
  assert.deepEqual(c.lossMask, want.mask);
  assert.equal(c.toolCalls!.length, 1);
  const call = c.toolCalls![0]!;
  assert.equal(call.status, 'ok');
  assert.equal(call.truncated, false);
  // The span holds exactly the tokenization of the rendered output, nothing decoded and re-encoded.
  const [a, b] = call.span;
  assert.deepEqual(c.tokenIds.slice(a, b), policy.tokenizer.encode('\n```output\n42\n```\n'));
  for (let i = 0; i < c.tokenIds.length; i++) {
    assert.equal(c.lossMask![i], i >= a && i < b ? 0 : 1);
    if (i >= a && i < b) assert.equal(c.logprobs[i], 0);
    else assert.ok(c.logprobs[i]! < 0);
  }
  assert.equal(c.termination, 'eos');
  assert.equal(c.turns, 2);
  assert.equal(c.voidTurn, false);
  assert.ok(c.toolMs! > 0 && c.modelMs! > 0);
  assert.equal(json.usage.completionTokens, want.mask.filter((m) => m === 1).length);
});

test('the rollout logprobs equal the recomputed ones at model positions on a multi-turn trajectory', async (t) => {
  const policy = await policyOnce(t);
  const { json } = await rollout(t, policy, inproc(t), { prompts: ['C:'], tools: { ...JS, maxCalls: 2 } });
  const c = json.groups[0]!.completions[0]!;
  assert.equal(c.toolCalls!.length, 2);
  assert.equal(c.turns, 3);
  assert.equal(c.termination, 'eos');
  const prompt = json.groups[0]!.promptTokenIds!;
  const scorer = await PolicyScorer.create(policy.config, policy.tensors);
  t.after(() => scorer.release());
  const [s] = await scorer.score([{ ids: [...prompt, ...c.tokenIds], promptLength: prompt.length }], 1);
  let checked = 0;
  c.tokenIds.forEach((_, i) => {
    if (c.lossMask![i] !== 1) return;
    assert.ok(
      Math.abs(s!.logprobs[i]! - c.logprobs[i]!) <= 1e-4,
      `position ${i}: ${s!.logprobs[i]} vs ${c.logprobs[i]}`,
    );
    checked++;
  });
  assert.ok(checked > 30);
});

test('per-call limits: timeout, memory and the output cap are shown to the model and recorded', async (t) => {
  const policy = await policyOnce(t);
  const ex = inproc(t);
  const tools: ToolsSpec = { ...JS, timeoutMs: 150, maxOutputChars: 64 };
  const { json } = await rollout(t, policy, ex, { prompts: ['T:', 'O:'], tools, maxTokens: 200 });
  const [tc, oc] = json.groups.map((g) => g.completions[0]!);
  const memTools: ToolsSpec = { ...JS, timeoutMs: 5000, memoryLimitMb: 16 };
  const mem = await rollout(t, policy, ex, { prompts: ['M:'], tools: memTools, maxTokens: 200 });
  const mc = mem.json.groups[0]!.completions[0]!;
  const shown = (c: typeof tc) => {
    const [a, b] = c!.toolCalls![0]!.span;
    return policy.tokenizer.decode(c!.tokenIds.slice(a, b));
  };
  assert.equal(tc!.toolCalls![0]!.status, 'timeout');
  assert.match(shown(tc), /TimeoutError: the code ran past 150 ms/);
  assert.equal(mc!.toolCalls![0]!.status, 'memory');
  assert.match(shown(mc), /MemoryError/);
  assert.equal(oc!.toolCalls![0]!.status, 'ok');
  assert.equal(oc!.toolCalls![0]!.truncated, true);
  const body = shown(oc)
    .replace(/^\n```output\n/, '')
    .replace(/\n```\n$/, '');
  assert.ok(body.length <= 64, `shown ${body.length} chars`);
  assert.match(body, /^(ab)+a?\n\.\.\.\[truncated\]$/);
});

test('maxCalls, the tool budget, context overflow and a dead sandbox end the trajectory with their termination', async (t) => {
  const policy = await policyOnce(t);
  const ex = inproc(t);
  const calls = (await rollout(t, policy, ex, { prompts: ['C:'], tools: { ...JS, maxCalls: 1 } })).json;
  const mc = calls.groups[0]!.completions[0]!;
  assert.equal(mc.termination, 'max_calls');
  assert.equal(mc.toolCalls!.length, 1);
  assert.equal(mc.voidTurn, false);

  // The first call spends the 1 ms budget; the second call ends the trajectory.
  const budget = (
    await rollout(t, policy, ex, { prompts: ['C:'], tools: { ...JS, maxCalls: 2, budgetMs: 1 } })
  ).json;
  const bc = budget.groups[0]!.completions[0]!;
  assert.equal(bc.termination, 'tool_budget');
  assert.equal(bc.toolCalls!.length, 1);
  assert.ok(bc.toolMs! >= 1);

  // The call's output needs more tokens than maxTokens leaves.
  const want = encodeTrace(policy, TRACES[0]!);
  const callEnd = want.mask.indexOf(0);
  const over = (await rollout(t, policy, ex, { prompts: ['A:'], tools: JS, maxTokens: callEnd + 5 })).json;
  const oc = over.groups[0]!.completions[0]!;
  assert.equal(oc.termination, 'context_overflow');
  assert.deepEqual(oc.tokenIds, want.ids.slice(0, callEnd));
  assert.deepEqual(oc.toolCalls![0]!.span, [callEnd, callEnd]);

  // Nothing listens on port 9 (discard): every call is an infrastructure failure, never shown to the model.
  const dead = new RestExecutor('http://127.0.0.1:9', { graceMs: 200 });
  const dc = (await rollout(t, policy, dead, { prompts: ['A:'], tools: JS })).json.groups[0]!.completions[0]!;
  assert.equal(dc.termination, 'tool_infra_error');
  assert.equal(dc.toolCalls![0]!.status, 'infra_error');
  assert.deepEqual(dc.tokenIds, want.ids.slice(0, callEnd));
  assert.ok(dc.lossMask!.every((m) => m === 1));
});

test('the REST executor sends its key to the reward service and never follows a redirect', async (t) => {
  const { createServer } = await import('node:http');
  const hits: string[] = [];
  const listen = async (handler: Parameters<typeof createServer>[1]) => {
    const s = createServer(handler);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => s.close(() => r())));
    return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  };
  const target = await listen((req, res) => {
    hits.push(`${req.url} ${req.headers.authorization ?? ''}`);
    res.end(JSON.stringify({ status: 'ok', stdout: 'leaked', stderr: '' }));
  });
  const auth: (string | undefined)[] = [];
  const redirector = await listen((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(307, { location: `${target}/v1/sandbox/run` });
    res.end();
  });
  const ex = new RestExecutor(redirector, { apiKey: 'k-0123456789abcdef', graceMs: 200 });
  const run = await ex.run({ language: 'javascript', code: 'console.log(1)' });
  assert.equal(run.status, 'infra_error');
  assert.match(run.detail ?? '', /answered 307/);
  assert.deepEqual(auth, ['Bearer k-0123456789abcdef']);
  assert.deepEqual(hits, [], 'the redirect target gets no request');
});

test('a trajectory without a call or an answer is a void turn; without tools the API is unchanged', async (t) => {
  const policy = await policyOnce(t);
  const ex = inproc(t);
  const v = (await rollout(t, policy, ex, { prompts: ['N:'], tools: JS })).json.groups[0]!.completions[0]!;
  assert.equal(v.termination, 'eos');
  assert.equal(v.voidTurn, true);
  assert.deepEqual(v.toolCalls, []);
  const plain = (await rollout(t, policy, ex, { prompts: ['N:'] })).json.groups[0]!.completions[0]!;
  assert.deepEqual(Object.keys(plain).sort(), ['finishReason', 'logprobs', 'stopReason', 'text', 'tokenIds']);
  assert.deepEqual(plain.tokenIds, v.tokenIds);
});

test('trajectories keep decoding while another waits on its tool', async (t) => {
  const policy = await policyOnce(t);
  const inner = inproc(t);
  const DELAY = 600;
  const slow: ToolExecutor = {
    kind: 'inprocess',
    tools: inner.tools,
    run: async (r) => {
      await new Promise((res) => setTimeout(res, DELAY));
      return inner.run(r);
    },
    close: async () => {},
  };
  const { json } = await rollout(t, policy, slow, { prompts: ['A:', 'N:'], tools: JS });
  const [a, n] = json.groups.map((g) => g.completions[0]!);
  assert.equal(a!.termination, 'eos');
  assert.ok(a!.toolMs! >= DELAY);
  // N finished while A's call was still running.
  assert.ok(n!.modelMs! < DELAY, `N took ${n!.modelMs} ms`);
});

test('hermes: the call ends the turn with EOS and the output is a tool message rendered by the template', async (t) => {
  const p = await policyOnce(t);
  const { json } = await rollout(t, p, inproc(t), { prompts: ['H:'], tools: { ...JS, format: 'hermes' } });
  const c = json.groups[0]!.completions[0]!;
  const want = encodeTrace(p, TRACES.find((x) => x.prompt === 'H:')!);
  assert.deepEqual(c.tokenIds, want.ids, JSON.stringify(c.text));
  assert.deepEqual(c.lossMask, want.mask);
  const eos = p.config.eosTokenIds[0]!;
  const [a] = c.toolCalls![0]!.span;
  assert.equal(c.tokenIds[a - 1], eos, 'the sampled EOS closes the assistant turn before the tool message');
  assert.equal(c.lossMask![a - 1], 1);
  assert.deepEqual(
    c.tokenIds.slice(a, c.toolCalls![0]!.span[1]),
    p.tokenizer.encode(toolInsertText(p.tokenizer, '42')),
  );
  assert.equal(c.termination, 'eos');
});

test('python runs in the sandbox through the same tool path (CPython in the isolate)', async (t) => {
  const p = await policyOnce(t);
  // The first Python call boots the interpreter in the worker (seconds on a loaded machine).
  const tools: ToolsSpec = { names: ['python', 'javascript'], timeoutMs: 30_000 };
  const { status, json } = await rollout(t, p, inproc(t), { prompts: ['P:'], tools });
  assert.equal(status, 200);
  const c = json.groups[0]!.completions[0]!;
  const want = encodeTrace(p, TRACES.find((x) => x.prompt === 'P:')!);
  assert.deepEqual(c.tokenIds, want.ids, JSON.stringify(c.text));
  assert.deepEqual(c.lossMask, want.mask);
  assert.equal(c.toolCalls![0]!.tool, 'python');
  assert.equal(c.toolCalls![0]!.status, 'ok');
  assert.equal(c.termination, 'eos');
  // A tool the request does not enable is not called: the fence stays text.
  const js = (await rollout(t, p, inproc(t), { prompts: ['P:'], tools: JS })).json.groups[0]!.completions[0]!;
  assert.deepEqual(js.toolCalls, []);
});

test('the openai engine runs a tool rollout one completion call per turn with the ids so far', async (t) => {
  const p = await policyOnce(t);
  const upstream = await buildRolloutServer({
    config: loadRolloutConfig({ logLevel: 'silent', model: p.dir }, {}),
    logger: false,
    defaultMetrics: false,
    toolExecutor: null,
  });
  t.after(() => upstream.close());
  const base = await upstream.listen({ port: 0, host: '127.0.0.1' });
  // Upstream completion calls, from its own counter (one group per /v1/completions call with n = 1).
  const groupsServed = async () => {
    const text = (await upstream.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^grpo_rollout_groups_total (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const before = await groupsServed();
  const front = await buildRolloutServer({
    config: loadRolloutConfig({ logLevel: 'silent', engine: 'openai', upstreams: [base], model: p.dir }, {}),
    logger: false,
    defaultMetrics: false,
    toolExecutor: inproc(t),
  });
  t.after(() => front.close());
  const res = await front.inject({
    method: 'POST',
    url: '/v1/rollouts',
    payload: {
      prompts: [{ text: 'C:' }],
      temperature: 0,
      maxTokens: 160,
      seed: 1,
      tools: { ...JS, maxCalls: 2 },
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const c = (res.json() as RolloutResponse).groups[0]!.completions[0]!;
  const want = encodeTrace(p, TRACES[4]!);
  assert.deepEqual(c.tokenIds, want.ids, JSON.stringify(c.text));
  assert.deepEqual(c.lossMask, want.mask);
  assert.equal(c.termination, 'eos');
  assert.equal(c.toolCalls!.length, 2);
  assert.equal((await groupsServed()) - before, 3, 'one upstream call per turn');
});
