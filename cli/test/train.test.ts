import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { MetricRow } from '@grpo/contracts';
import { startTrainerServer } from '@grpo/trainer-service';
import { bar, ProgressView, parseCommand, SseParser, stepLine, train, UsageError } from '../src/index.js';

test('train takes a config file and the trainer URL from the flag, the env var or the default', () => {
  assert.deepEqual(parseCommand(['train', 'run.json'], {}), {
    command: 'train',
    trainerUrl: 'http://127.0.0.1:8003',
    config: 'run.json',
  });
  assert.deepEqual(parseCommand(['train', 'run.json'], { GRPO_TRAINER_URL: 'http://t:1' }), {
    command: 'train',
    trainerUrl: 'http://t:1',
    config: 'run.json',
  });
  assert.deepEqual(parseCommand(['train', '--resume', 'runs/a', '--trainer', 'http://x:9'], {}), {
    command: 'train',
    trainerUrl: 'http://x:9',
    resume: 'runs/a',
  });
});

test('train without a config or with both a config and --resume is a usage error', () => {
  assert.throws(() => parseCommand(['train'], {}), UsageError);
  assert.throws(() => parseCommand(['train', 'a.json', '--resume', 'runs/a'], {}), UsageError);
  assert.throws(() => parseCommand(['train', 'a.json', '--trainer', 'ftp://x'], {}), /--trainer/);
});

test('serve trainer maps --runs-dir and --resume to config overrides; they belong to no other service', () => {
  assert.deepEqual(
    parseCommand(['serve', 'trainer', '--runs-dir', '/r', '--resume', '/r/a', '--port', '0'], {}),
    {
      command: 'serve',
      service: 'trainer',
      overrides: { runsDir: '/r', resume: '/r/a', port: 0 },
    },
  );
  assert.throws(() => parseCommand(['serve', 'reward', '--runs-dir', '/r'], {}), /serve trainer/);
});

test('the SSE parser handles frames split across chunks, comments and multi-line data', () => {
  const p = new SseParser();
  assert.deepEqual(p.push(': ping\n\nevent: st'), []);
  assert.deepEqual(p.push('ep\nid: 3\ndata: {"a":\r\ndata: 1}\n\n'), [
    { event: 'step', id: '3', data: '{"a":\n1}' },
  ]);
  assert.deepEqual(p.push('data: x\n\n'), [{ event: 'message', data: 'x' }]);
});

const row = (stageStep: number, extra: Partial<MetricRow> = {}): MetricRow => ({
  step: stageStep,
  stage: 0,
  stageType: 'grpo',
  stageStep,
  time: '',
  lr: 1e-3,
  loss: 0.5,
  gradNorm: 1,
  rewardMean: 0.25,
  rewardStd: 0.1,
  rewards: {},
  accuracy: 0.125,
  kl: 0.001,
  entropy: 1,
  clipFraction: 0,
  completionLengthMean: 80,
  completionLengthMin: 10,
  completionLengthMax: 100,
  zeroStdFraction: 0,
  acceptedFraction: null,
  timeRolloutMs: 1,
  timeRewardMs: 1,
  timeTrainMs: 1,
  timeSyncMs: 1,
  timeStepMs: 4,
  tokens: 400,
  tokensPerSecond: 100_000,
  ...extra,
});

test('a progress line shows the bar, the step count and the live metrics', () => {
  assert.equal(bar(0, 10), '░'.repeat(24));
  assert.equal(bar(5, 10), `${'█'.repeat(12)}${'░'.repeat(12)}`);
  assert.equal(bar(3, 0), '░'.repeat(24));
  const line = stepLine(row(5), 10, 'grpo');
  assert.match(
    line,
    /^grpo {9}█{12}░{12} 5\/10 {2}loss 0\.500 {2}reward 0\.250 {2}acc 0\.125 {2}kl 0\.0010 {2}len 80 {2}100000 tok\/s$/,
  );
  assert.doesNotMatch(
    stepLine(row(1, { rewardMean: null, accuracy: null, kl: null }), 10, 'sft'),
    /reward|acc|kl/,
  );
});

test('without a TTY the progress view prints the first, every Nth and the last step of a stage', () => {
  let out = '';
  const sink = {
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const view = new ProgressView(sink, 4);
  view.stage('grpo', 'grpo', 9);
  for (let i = 1; i <= 9; i++) view.step(row(i));
  view.end();
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'stage grpo (grpo, 9 steps)');
  assert.deepEqual(
    lines.slice(1).map((l) => /(\d+)\/9/.exec(l)?.[1]),
    ['1', '4', '8', '9'],
  );
});

test('train submits a run to a live trainer, follows its events and returns the final status', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'grpo-cli-train-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const trainer = await startTrainerServer({ port: 0, logLevel: 'silent', runsDir: dir }, { signals: [] });
  t.after(() => trainer.close());
  let out = '';
  const sink = {
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const body = {
    model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
    data: { builtin: 'arithmetic', train: { count: 20 }, eval: { count: 4 } },
    stages: [{ type: 'sft', name: 'cold-start', steps: 5, batch: 2 }],
  };
  const { status } = await train({ trainerUrl: trainer.url, body, out: sink, every: 2 });
  assert.equal(status.state, 'completed');
  assert.equal(status.step, 5);
  assert.match(
    out,
    /^run run-\S+: 5 steps\n {2}run dir: {3}\S+\n {2}dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\?run=/,
  );
  assert.match(out, /stage cold-start \(sft, 5 steps\)\n/);
  assert.match(out, /cold-start {3}█+ 5\/5 {2}loss \d/);
  assert.match(out, /completed after 5 steps\n$/);
});

test('train reports a rejected config with the trainer error code', async (t) => {
  const trainer = await startTrainerServer(
    { port: 0, logLevel: 'silent', runsDir: '/nonexistent' },
    { signals: [] },
  );
  t.after(() => trainer.close());
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  await assert.rejects(
    train({ trainerUrl: trainer.url, body: { model: 'x', data: { path: 'x' }, stages: [] }, out: sink }),
    /400 GRPO_TRAINER_BAD_CONFIG: invalid run config at stages/,
  );
});
