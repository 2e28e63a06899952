import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { BalancedRewardClient, ServiceClientError } from '@grpo/clients';
import type { RewardsRequest } from '@grpo/contracts';

// The balancing and failover rules of BalancedRewardClient, against small HTTP replicas whose
// failures are scripted (503s, wrong replies, refused connections). The same client against real
// reward processes, one of them SIGKILLed mid-batch, is in test/scaling.test.ts.

type Behaviour = (req: RewardsRequest, n: number) => { status: number; body: unknown } | 'hang';

/** A replica answering POST /v1/rewards per `behave`; by default it scores total = item index. */
async function replica(t: { after: (fn: () => unknown) => void }, behave?: Behaviour) {
  let calls = 0;
  const items: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as RewardsRequest;
      const n = ++calls;
      const out = behave?.(body, n) ?? { status: 200, body: score(body) };
      if (out === 'hang') return;
      if (out.status === 200) items.push(...body.items.map((i) => i.id));
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    items,
  };
}

function score(body: RewardsRequest) {
  return {
    results: body.items.map((i) => ({ id: i.id, total: Number(i.id.slice(1)), components: [] })),
    stats: {
      items: body.items.length,
      components: body.items.length,
      errors: 0,
      timeouts: 0,
      chunks: 1,
      retriedItems: 0,
      workers: 2,
      ms: 1,
    },
  };
}

const batch = (n: number): RewardsRequest => ({
  items: Array.from({ length: n }, (_, i) => ({ id: `i${i}`, prompt: 'p', completion: 'c' })),
  rewards: [{ name: 'format' }],
});

/** A URL on which nothing listens (a port the OS just handed out and took back). */
async function deadUrl() {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

test('a batch is cut into chunks, spread over the replicas, and reassembled in order', async (t) => {
  const a = await replica(t);
  const b = await replica(t);
  const client = new BalancedRewardClient({ urls: [a.url, b.url], chunkItems: 7, maxInFlightPerUrl: 2 });
  const out = await client.score(batch(100));
  assert.deepEqual(
    out.results.map((r) => r.total),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.equal(a.items.length + b.items.length, 100);
  assert.ok(a.calls() >= 3 && b.calls() >= 3, `${a.calls()} / ${b.calls()} requests`);
  assert.equal(out.stats.items, 100);
  assert.equal(out.stats.chunks, 15, 'ceil(100 / 7) requests');
  assert.equal(out.stats.workers, 4, 'two replicas with two workers each');
  assert.deepEqual(out.balance, {
    attempts: 15,
    failovers: 0,
    replicas: [
      { url: a.url, chunks: a.calls(), items: a.items.length, failures: 0 },
      { url: b.url, chunks: b.calls(), items: b.items.length, failures: 0 },
    ],
  });
});

test('a replica that answers 503 is cooled down and its chunk is scored by another', async (t) => {
  const sick = await replica(t, () => ({
    status: 503,
    body: { error: { code: 'GRPO_OVERLOADED', message: 'busy', statusCode: 503 } },
  }));
  const ok = await replica(t);
  const codes: string[] = [];
  const client = new BalancedRewardClient({
    urls: [sick.url, ok.url],
    chunkItems: 10,
    cooldownMs: 60_000,
    onChunk: (e) => e.type === 'failed' && codes.push(e.code!),
  });
  const out = await client.score(batch(50));
  assert.deepEqual(
    out.results.map((r) => r.id),
    batch(50).items.map((i) => i.id),
  );
  assert.equal(ok.items.length, 50);
  assert.ok(sick.calls() >= 1 && sick.calls() <= 2, 'tried, then skipped during its cooldown');
  assert.deepEqual(new Set(codes), new Set(['GRPO_OVERLOADED']));
  assert.equal(out.balance.failovers, sick.calls());
  assert.equal(client.replicas()[0]!.down, true);
});

test('a reply that does not match the chunk it was sent is not used', async (t) => {
  const liar = await replica(t, (req) => {
    const s = score(req);
    s.results.reverse();
    return { status: 200, body: s };
  });
  const ok = await replica(t);
  const client = new BalancedRewardClient({ urls: [liar.url, ok.url], chunkItems: 5, cooldownMs: 60_000 });
  const out = await client.score(batch(20));
  assert.deepEqual(
    out.results.map((r) => r.total),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.ok(out.balance.replicas[0]!.failures >= 1);
  assert.equal(out.balance.replicas[0]!.chunks, 0);
});

test('a 400 from a replica fails the whole batch at once with the service error and field', async (t) => {
  const strict = await replica(t, () => ({
    status: 400,
    body: {
      error: {
        code: 'GRPO_REWARD_UNKNOWN_FN',
        message: 'unknown reward "nope"',
        field: 'rewards[0].name',
        statusCode: 400,
      },
    },
  }));
  const client = new BalancedRewardClient({ urls: [strict.url] });
  await assert.rejects(client.score(batch(3)), (e: unknown) => {
    assert.ok(e instanceof ServiceClientError);
    assert.equal(e.code, 'GRPO_REWARD_UNKNOWN_FN');
    assert.equal(e.field, 'rewards[0].name');
    assert.equal(e.statusCode, 400);
    return true;
  });
  assert.equal(strict.calls(), 1, 'not retried on another replica');
});

test('when every replica is down the batch fails after maxAttempts with each cause named', async () => {
  const urls = [await deadUrl(), await deadUrl()];
  const client = new BalancedRewardClient({ urls, maxAttempts: 3, cooldownMs: 5 });
  await assert.rejects(client.score(batch(4)), (e: unknown) => {
    assert.ok(e instanceof ServiceClientError);
    assert.equal(e.code, 'GRPO_CLIENT_REPLICAS_EXHAUSTED');
    assert.equal(e.attempts, 3);
    assert.match(e.message, /chunk 0 \(items 0\.\.3\) failed 3 times/);
    for (const u of urls) assert.ok(e.message.includes(`[${u}] GRPO_CLIENT_CONNECTION`), e.message);
    return true;
  });
});

test('a replica that hangs past timeoutMs loses its chunk to another', async (t) => {
  const stuck = await replica(t, () => 'hang');
  const ok = await replica(t);
  const client = new BalancedRewardClient({
    urls: [stuck.url, ok.url],
    chunkItems: 4,
    timeoutMs: 200,
    cooldownMs: 60_000,
  });
  const out = await client.score(batch(12));
  assert.equal(out.results.length, 12);
  assert.equal(ok.items.length, 12);
  assert.ok(out.balance.failovers >= 1);
});

test(
  'concurrent batches on one client share the replicas without stalling each other',
  { timeout: 10_000 },
  async (t) => {
    const a = await replica(t);
    const client = new BalancedRewardClient({ urls: [a.url], chunkItems: 2, maxInFlightPerUrl: 1 });
    const outs = await Promise.all([client.score(batch(9)), client.score(batch(5)), client.score(batch(1))]);
    assert.deepEqual(
      outs.map((o) => o.results.length),
      [9, 5, 1],
    );
    assert.equal(a.calls(), 5 + 3 + 1);
    assert.equal(client.replicas()[0]!.inFlight, 0);
  },
);

test('an empty batch is one request, so a bad spec is still reported', async (t) => {
  const a = await replica(t);
  const client = new BalancedRewardClient({ urls: [a.url] });
  const out = await client.score(batch(0));
  assert.deepEqual(out.results, []);
  assert.equal(a.calls(), 1);
});

test('bad options are rejected with GRPO_CLIENT_BAD_OPTION and the field', () => {
  const cases: [ConstructorParameters<typeof BalancedRewardClient>[0], string][] = [
    [{ urls: [] }, 'urls'],
    [{ urls: ['ftp://x'] }, 'urls[0]'],
    [{ urls: ['http://a:1', 'http://a:1/'] }, 'urls'],
    [{ urls: ['http://a:1'], chunkItems: 0 }, 'chunkItems'],
    [{ urls: ['http://a:1'], maxInFlightPerUrl: 1.5 }, 'maxInFlightPerUrl'],
    [{ urls: ['http://a:1'], maxAttempts: 0 }, 'maxAttempts'],
    [{ urls: ['http://a:1'], cooldownMs: -1 }, 'cooldownMs'],
  ];
  for (const [opts, field] of cases)
    assert.throws(
      () => new BalancedRewardClient(opts),
      (e: unknown) =>
        e instanceof ServiceClientError && e.code === 'GRPO_CLIENT_BAD_OPTION' && e.field === field,
      field,
    );
});
