#!/usr/bin/env node
// Reward service scaling on one machine, without containers: for each replica count it starts
// that many `grpo serve reward --workers 1` processes on 127.0.0.1 behind the least-connections
// balancer of infra/lb/proxy.mjs, sends the same CPU-heavy batch of R1-style math completions
// (infra/lb/cluster.mjs) through the balancer with a fixed concurrency, and prints items/s.
// Every reply is checked: right ids, and the accuracy each answer deserves.
// Throughput should rise from 1 to 2 replicas and flatten once replicas outnumber the cores.
//
//   node scripts/scale-bench.mjs
//   SCALE_REPLICAS=1,2,3,4 SCALE_ITEMS=4000 SCALE_CHUNK=100 SCALE_CONCURRENCY=8 SCALE_ROUNDS=5 node scripts/scale-bench.mjs
//   SCALE_LB=nginx node scripts/scale-bench.mjs      # nginx with infra/nginx/reward-lb.conf, if installed
//
// Runs the built code (dist) when it exists, else the sources (GRPO_FROM_SOURCE=1 forces them).
import os from 'node:os';
import { mathWorkload, startReplicas, workloadSpec } from '../infra/lb/cluster.mjs';
import { findNginx, startNginx } from '../infra/lb/nginx.mjs';
import { startProxy } from '../infra/lb/proxy.mjs';

const list = (name, fallback) =>
  (process.env[name] ?? fallback).split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected positive integers, got ${s}`);
    return n;
  });
const replicaCounts = list('SCALE_REPLICAS', '1,2,3');
const [ITEMS] = list('SCALE_ITEMS', '4000');
const [CHUNK] = list('SCALE_CHUNK', '100');
const [CONCURRENCY] = list('SCALE_CONCURRENCY', '8');
const [ROUNDS] = list('SCALE_ROUNDS', '3');

const { items, expected } = mathWorkload(ITEMS);
// Request bodies are serialized once: the load generator shares the cores with the replicas
// and should spend as little of them as it can.
const bodies = [];
for (let s = 0; s < items.length; s += CHUNK)
  bodies.push({
    start: s,
    body: JSON.stringify({ items: items.slice(s, s + CHUNK), rewards: workloadSpec }),
  });

/** Sends every body through the balancer, CONCURRENCY at a time; checks each reply. */
async function round(url) {
  let next = 0;
  let wrong = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < bodies.length) {
      const { start, body } = bodies[next++];
      const res = await fetch(`${url}/v1/rewards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const out = await res.json();
      if (res.status !== 200) throw new Error(`reply ${res.status}: ${JSON.stringify(out).slice(0, 300)}`);
      out.results.forEach((r, i) => {
        if (r.id !== `item-${start + i}` || r.components[0].score !== expected[start + i]) wrong++;
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const ms = performance.now() - t0;
  if (wrong > 0) throw new Error(`${wrong} items came back with the wrong id or accuracy`);
  return (ITEMS / ms) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// All replicas start once; each round measures every replica count in turn, through a balancer
// over the first n replicas (idle replicas use no CPU). Interleaving puts the load of other
// processes on a shared machine on every configuration alike, and the speed-ups are medians of
// per-round ratios.
const maxN = Math.max(...replicaCounts);
const replicas = await startReplicas(maxN, { workers: 1, fromSource: process.env.GRPO_FROM_SOURCE === '1' });
// SCALE_LB=nginx puts infra/nginx/reward-lb.conf (the compose balancer) in front instead.
const lbKind = process.env.SCALE_LB ?? 'node';
if (lbKind !== 'node' && lbKind !== 'nginx') throw new Error(`SCALE_LB: node or nginx, got ${lbKind}`);
if (lbKind === 'nginx' && !findNginx()) throw new Error('SCALE_LB=nginx: nginx is not on PATH');
const startLb = lbKind === 'nginx' ? startNginx : startProxy;
const lbs = await Promise.all(
  replicaCounts.map((n) => startLb({ upstreams: replicas.slice(0, n).map((r) => r.url) })),
);
console.log(
  `scale bench: ${ITEMS} items (${bodies.length} requests of ${CHUNK}) per round, concurrency ${CONCURRENCY}, ` +
    `${ROUNDS} rounds, ${lbKind} balancer; ${os.availableParallelism()} cores, node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
);
try {
  await round(lbs[lbs.length - 1].url); // warm-up of every replica: workers load the registry, JIT
  const rates = replicaCounts.map(() => []);
  for (let r = 0; r < ROUNDS; r++) for (const [i, lb] of lbs.entries()) rates[i].push(await round(lb.url));
  for (const [i, n] of replicaCounts.entries()) {
    const ratio = median(rates[i].map((x, r) => x / rates[0][r]));
    console.log(
      `  ${n} replica${n > 1 ? 's' : ' '} (1 worker each): median ${Math.round(median(rates[i]))} items/s ` +
        `(rounds ${rates[i].map((x) => Math.round(x)).join(', ')}), ${ratio.toFixed(2)}x ${replicaCounts[0]} ` +
        `replica${replicaCounts[0] > 1 ? 's' : ''} (median of per-round ratios)` +
        (lbs[i].upstreams ? `; requests per replica ${lbs[i].upstreams.map((u) => u.served).join('/')}` : ''),
    );
  }
  console.log(
    `  load average after: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await Promise.all(lbs.map((lb) => lb.close()));
  await Promise.all(replicas.map((r) => r.stop()));
}
