import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RolloutCompletion } from '@grpo/contracts';
import { buildCharTokenizer, HfTokenizer } from '@grpo/model';
import { parseJsonl } from '../src/data/jsonl.js';
import { maskedOut, modelLength, toolMetrics, traceIds, trainMask } from '../src/run/tools.js';

const files = buildCharTokenizer();
const tok = new HfTokenizer(files.tokenizer, files.tokenizerConfig);

const completion = (o: Partial<RolloutCompletion>): RolloutCompletion => ({
  tokenIds: [10, 11, 12, 13, 14],
  text: 'x',
  logprobs: [-1, -1, 0, 0, -1],
  finishReason: 'stop',
  stopReason: 2,
  lossMask: [1, 1, 0, 0, 1],
  turns: 2,
  toolCalls: [{ tool: 'javascript', status: 'ok', wallMs: 4, truncated: false, span: [2, 4] }],
  termination: 'eos',
  voidTurn: false,
  toolMs: 4,
  modelMs: 10,
  ...o,
});

test('an SFT tool trace tokenizes each segment on its own and masks the tool output', () => {
  const segs = [{ text: 'ab' }, { text: 'OUT', tool: true }, { text: 'c' }];
  const { ids, mask } = traceIds(tok, segs, 2);
  assert.deepEqual(ids, [...tok.encode('ab'), ...tok.encode('OUT'), ...tok.encode('c'), 2]);
  assert.deepEqual(mask, [1, 1, 0, 0, 0, 1, 1]);
  const ex = parseJsonl(`${JSON.stringify({ prompt: 'p', answer: '1', segments: segs })}\n`)[0]!;
  assert.deepEqual(ex.segments, segs);
  assert.throws(() => parseJsonl('{"prompt":"p","answer":"1","segments":[{"text":1}]}'), /segments/);
});

test('void-turn and infrastructure-failure trajectories are masked out by default, and can be kept', () => {
  const ok = completion({});
  const voidTurn = completion({ voidTurn: true });
  const infra = completion({ termination: 'tool_infra_error' });
  assert.deepEqual(trainMask(ok, {}), [1, 1, 0, 0, 1]);
  assert.deepEqual(trainMask(voidTurn, {}), [0, 0, 0, 0, 0]);
  assert.deepEqual(trainMask(infra, {}), [0, 0, 0, 0, 0]);
  assert.deepEqual(
    trainMask(voidTurn, { toolMask: { voidTurns: false, infraErrors: true } }),
    [1, 1, 0, 0, 1],
  );
  assert.equal(maskedOut(infra, { toolMask: { voidTurns: true, infraErrors: false } }), false);
  const plain = completion({ lossMask: undefined, toolCalls: undefined });
  assert.equal(trainMask(plain, {}), undefined);
  assert.equal(modelLength(ok), 3);
  assert.equal(modelLength(plain), 5);
});

test('tool metrics have fixed names and rates over calls and trajectories', () => {
  const m = toolMetrics(
    [
      completion({}),
      completion({
        turns: 3,
        toolCalls: [
          { tool: 'javascript', status: 'timeout', wallMs: 100, truncated: false, span: [2, 3] },
          { tool: 'javascript', status: 'error', wallMs: 5, truncated: true, span: [3, 4] },
        ],
        toolMs: 105,
        termination: 'max_calls',
      }),
      completion({ toolCalls: [], turns: 1, voidTurn: true, toolMs: 0, lossMask: [1, 1, 1, 1, 1] }),
    ],
    {},
  )!;
  assert.equal(m.callsPerTrajectory, 1);
  assert.equal(m.callRate, 2 / 3);
  assert.equal(m.turnsMean, 2);
  assert.equal(m.timeoutRate, 1 / 3);
  assert.equal(m.errorRate, 1 / 3);
  assert.equal(m.truncationRate, 1 / 3);
  assert.equal(m.infraErrorRate, 0);
  assert.equal(m.toolMsMean, 109 / 3);
  assert.equal(m.maskedFraction, 1 / 3);
  assert.deepEqual(Object.keys(m.terminations).sort(), ['eos', 'max_calls']);
  assert.ok(Math.abs(m.terminations.eos! - 2 / 3) < 1e-12);
  assert.equal(toolMetrics([completion({ toolCalls: undefined, lossMask: undefined })], {}), null);
});
