import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { createTinyPolicy, type Policy } from '@grpo/model';
import type { KitApp } from '@grpo/service-kit';
import { buildRolloutServer, loadRolloutConfig } from '../src/index.js';

/** A tiny policy in a temp folder, removed after the test. */
export async function tinyPolicy(t: TestContext, seed = 7): Promise<Policy> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'grpo-rollout-test-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  return createTinyPolicy({ dir: path.join(tmp, `tiny-${seed}`), seed });
}

/** A rollout app (onnx engine) on `model`, closed after the test. */
export async function rolloutApp(
  t: TestContext,
  model: string,
  overrides: Record<string, unknown> = {},
): Promise<KitApp> {
  const config = loadRolloutConfig({ logLevel: 'silent', model, modelRoot: tmpdir(), ...overrides }, {});
  const app = await buildRolloutServer({ config, logger: false, defaultMetrics: false });
  t.after(() => app.close());
  return app;
}

interface CompletionLike {
  tokenIds: number[];
  logprobs: number[];
  text: string;
  finishReason: string;
  stopReason: number | string | null;
}

/**
 * Same samples: token ids, text and finish reasons exactly; logprobs within `tol`, since float32
 * GEMMs accumulate in an order that depends on the batch shape (about 1e-7 apart here).
 */
export function assertSameCompletions(
  actual: CompletionLike[][],
  expected: CompletionLike[][],
  tol = 1e-5,
): void {
  const strip = (g: CompletionLike[][]) =>
    g.map((cs) =>
      cs.map(({ tokenIds, text, finishReason, stopReason }) => ({
        tokenIds,
        text,
        finishReason,
        stopReason,
      })),
    );
  assert.deepEqual(strip(actual), strip(expected));
  for (const [i, cs] of actual.entries()) {
    for (const [j, c] of cs.entries()) {
      for (const [k, lp] of c.logprobs.entries()) {
        const want = expected[i]![j]!.logprobs[k]!;
        assert.ok(Math.abs(lp - want) <= tol, `logprob [${i}][${j}][${k}]: ${lp} vs ${want}`);
      }
    }
  }
}
