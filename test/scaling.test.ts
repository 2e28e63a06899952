import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BalancedRewardClient, type ChunkEvent } from '@grpo/clients';
import { mathWorkload, startReplicas, workloadSpec } from '../infra/lb/cluster.mjs';
import { startProxy } from '../infra/lb/proxy.mjs';

// Real `grpo serve reward --workers 1` processes on 127.0.0.1: two that stay up for the whole
// file, and in the fault test a third that is SIGKILLed while it is scoring.
type Replica = Awaited<ReturnType<typeof startReplicas>>[number];
let replicas: Replica[] = [];

before(async () => {
  replicas = await startReplicas(2, { workers: 1, fromSource: true });
});

after(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** items/s for one pass of `bodies` through `url`, `concurrency` requests at a time. */
async function throughput(url: string, bodies: string[], items: number, concurrency: number) {
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${url}/v1/rewards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      assert.equal(res.status, 200, text.slice(0, 300));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (items / (performance.now() - t0)) * 1000;
}

// scripts/test.mjs runs this file alone after the rest of the suite, so the two cores are free:
// there, with this workload (4,000 items, 100 per request, 8 lanes), two replicas read 1.39x and
// 1.42x one replica (median of 5 paired rounds). Shared with other jobs, throughput swings by up
// to 5x between rounds, hence paired rounds and a median. CI asserts >= 1.15x; GRPO_SCALE_STRICT=1
// asks for 1.3x.
test('two reward replicas behind the balancer score in parallel, share the load and raise throughput', async (t) => {
  const [a, b] = replicas as [Replica, Replica];
  const one = await startProxy({ upstreams: [a.url] });
  const two = await startProxy({ upstreams: [a.url, b.url] });
  t.after(() => Promise.all([one.close(), two.close()]));
  const ITEMS = 4000;
  const CHUNK = 100;
  const LANES = 8;
  const { items } = mathWorkload(ITEMS, 7);
  const bodies: string[] = [];
  for (let s = 0; s < ITEMS; s += CHUNK)
    bodies.push(JSON.stringify({ items: items.slice(s, s + CHUNK), rewards: workloadSpec }));
  await throughput(two.url, bodies, ITEMS, LANES); // warm-up of both replicas' workers
  // Rounds alternate between one and two replicas so that load from other processes falls on
  // both sides alike; the verdict is on the median of the paired ratios.
  const ones: number[] = [];
  const twos: number[] = [];
  for (let r = 0; r < 5; r++) {
    ones.push(await throughput(one.url, bodies, ITEMS, LANES));
    twos.push(await throughput(two.url, bodies, ITEMS, LANES));
  }
  const ratio = median(twos.map((x, i) => x / ones[i]!));
  t.diagnostic(
    `1 replica ${Math.round(median(ones))} items/s, 2 replicas ${Math.round(median(twos))} items/s, ` +
      `median paired ratio ${ratio.toFixed(2)} (rounds ${ones.map(Math.round).join('/')} vs ${twos.map(Math.round).join('/')})`,
  );
  const [sa, sb] = two.upstreams.map((u) => u.served) as [number, number];
  assert.equal(sa + sb, bodies.length * 6);
  assert.ok(Math.min(sa, sb) >= 0.3 * (sa + sb), `requests spread over both replicas: ${sa}/${sb}`);
  assert.equal(two.stats.peakBusyUpstreams, 2, 'both replicas were scoring at the same time');
  assert.equal(one.stats.peakBusyUpstreams, 1);
  const floor = process.env.GRPO_SCALE_STRICT === '1' ? 1.3 : 1.15;
  assert.ok(ratio >= floor, `2 replicas should be >= ${floor}x one replica, got ${ratio.toFixed(2)}x`);
});

test('the balanced client loses no item when a replica is SIGKILLed mid-batch', async (t) => {
  const [victim] = await startReplicas(1, { workers: 1, fromSource: true });
  t.after(() => victim!.stop());
  const urls = [...replicas.map((r) => r.url), victim!.url];
  const { items, expected } = mathWorkload(3000, 11);
  let killedAt = -1;
  const events: ChunkEvent[] = [];
  const client: BalancedRewardClient = new BalancedRewardClient({
    urls,
    chunkItems: 50,
    maxInFlightPerUrl: 2,
    timeoutMs: 60_000,
    cooldownMs: 200,
    onChunk: (e) => {
      events.push(e);
      // Kill once the batch is under way and the victim holds requests it has not answered.
      const busy = client.replicas().find((r) => r.url === victim!.url)!.inFlight > 0;
      if (killedAt < 0 && e.type === 'done' && e.doneChunks >= 6 && busy) {
        killedAt = e.doneChunks;
        victim!.child.kill('SIGKILL');
      }
    },
  });
  const out = await client.score({ items, rewards: workloadSpec });

  assert.ok(killedAt > 0 && killedAt < 60, `killed mid-batch (after ${killedAt} of 60 chunks)`);
  assert.equal(victim!.child.signalCode, 'SIGKILL');
  assert.deepEqual(
    out.results.map((r) => r.id),
    items.map((i) => i.id),
    'every item comes back exactly once, in order',
  );
  assert.deepEqual(
    out.results.map((r) => r.components.find((c) => c.name === 'accuracy')!.score),
    expected,
  );
  assert.equal(out.stats.items, 3000);
  const byUrl = new Map(out.balance.replicas.map((r) => [r.url, r]));
  const lost = byUrl.get(victim!.url)!;
  assert.ok(lost.failures >= 1, 'the killed replica failed at least one attempt');
  assert.ok(out.balance.failovers >= 1, 'its chunks were re-sent');
  for (const r of replicas) assert.ok(byUrl.get(r.url)!.chunks > 0, `${r.url} scored chunks`);
  assert.equal(
    out.balance.replicas.reduce((s, r) => s + r.items, 0),
    3000,
    'the replicas together scored each item once',
  );
  const failed = events.filter((e) => e.type === 'failed');
  assert.ok(
    failed.every((e) => e.url === victim!.url),
    'only the killed replica failed',
  );
  assert.equal(events.filter((e) => e.type === 'done').length, 60);
});

test('the balancer retries a request on another replica when one has died', async (t) => {
  const [doomed] = await startReplicas(1, { workers: 1, fromSource: true });
  t.after(() => doomed!.stop());
  const lb = await startProxy({ upstreams: [doomed!.url, replicas[0]!.url], failTimeoutMs: 60_000 });
  t.after(() => lb.close());
  doomed!.child.kill('SIGKILL');
  await new Promise((r) => doomed!.child.once('exit', r));
  const { items, expected } = mathWorkload(20, 3);
  for (let k = 0; k < 4; k++) {
    const res = await fetch(`${lb.url}/v1/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items, rewards: workloadSpec }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-upstream'), replicas[0]!.url);
    const out = (await res.json()) as { results: { components: { score: number }[] }[] };
    assert.deepEqual(
      out.results.map((r) => r.components[0]!.score),
      expected,
    );
  }
  assert.equal(lb.upstreams[0]!.failures, 1, 'the dead replica was tried once, then skipped');
});
