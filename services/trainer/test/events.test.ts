import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

interface Frame {
  event: string;
  id?: string;
  data: unknown;
}

/** Reads a whole SSE response (until the server ends it) into frames. */
async function readFrames(res: Response): Promise<{ frames: Frame[]; comments: number }> {
  const text = await res.text();
  const frames: Frame[] = [];
  let comments = 0;
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    const f: Partial<Frame> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments++;
      else if (line.startsWith('event: ')) f.event = line.slice(7);
      else if (line.startsWith('id: ')) f.id = line.slice(4);
      else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
    }
    if (f.event) frames.push(f as Frame);
  }
  return { frames, comments };
}

test('the event stream sends status, one step event per step with its id, stage changes and a final end', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir, { sseHeartbeatMs: 100 });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(12) })
  ).json() as RunStatus;
  const res = await fetch(`${url}/v1/runs/${id}/events`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const { frames } = await readFrames(res);
  assert.equal(frames[0]?.event, 'status');
  const steps = frames.filter((f) => f.event === 'step');
  assert.deepEqual(
    steps.map((f) => (f.data as MetricRow).step),
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    steps.map((f) => f.id),
    steps.map((f) => String((f.data as MetricRow).step)),
  );
  const stages = frames.filter((f) => f.event === 'stage').map((f) => (f.data as { state: string }).state);
  assert.deepEqual(stages, ['started', 'completed']);
  const last = frames[frames.length - 1];
  assert.equal(last?.event, 'end');
  assert.deepEqual(last?.data, { state: 'completed' });
});

test('a stream opened after the run ended replays the rows and stage events after since and ends at once', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(6) })
  ).json() as RunStatus;
  await waitForState(app, id, ['completed']);
  const { frames } = await readFrames(await fetch(`${url}/v1/runs/${id}/events?since=4`));
  assert.deepEqual(
    frames.map((f) => f.event),
    ['status', 'step', 'step', 'stage', 'end'],
  );
  assert.equal((frames[1]?.data as MetricRow).step, 5);
  assert.equal((frames[3]?.data as { state: string }).state, 'completed');
  // From the start, a late client sees the whole run in order: the stage's start before the
  // first step, its completion after the last.
  const all = await readFrames(await fetch(`${url}/v1/runs/${id}/events`));
  assert.deepEqual(
    all.frames.map((f) => (f.event === 'stage' ? `stage:${(f.data as { state: string }).state}` : f.event)),
    ['status', 'stage:started', 'step', 'step', 'step', 'step', 'step', 'step', 'stage:completed', 'end'],
  );
});

test('Last-Event-ID resumes a stream after the last step the client saw', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(4) })
  ).json() as RunStatus;
  await waitForState(app, id, ['completed']);
  const { frames } = await readFrames(
    await fetch(`${url}/v1/runs/${id}/events`, { headers: { 'last-event-id': '3' } }),
  );
  assert.deepEqual(
    frames.filter((f) => f.event === 'step').map((f) => (f.data as MetricRow).step),
    [4],
  );
});

test('heartbeat comments keep an idle stream alive', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir, { sseHeartbeatMs: 100 });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(200) })
  ).json() as RunStatus;
  const ctrl = new AbortController();
  const res = await fetch(`${url}/v1/runs/${id}/events?since=1000000`, { signal: ctrl.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  const deadline = Date.now() + 5000;
  while (!text.includes(': ping') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  ctrl.abort();
  await app.inject({ method: 'POST', url: `/v1/runs/${id}/stop` });
  await waitForState(app, id, ['stopped', 'completed']);
  assert.ok(text.includes(': ping'), text.slice(0, 200));
});

test('the event stream of an unknown run is a 404', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({ method: 'GET', url: '/v1/runs/nope/events' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'GRPO_TRAINER_RUN_NOT_FOUND');
});
