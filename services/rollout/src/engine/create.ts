import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTinyPolicy, HfTokenizer, loadPolicy, type Policy } from '@grpo/model';
import type { SessionOptions } from '@grpo/onnx';
import type { RolloutConfig } from '../config.js';
import { OnnxEngine } from './onnx.js';
import { OpenAIEngine } from './openai.js';
import type { RolloutEngine } from './types.js';

/** An engine plus what to clean up after it (the tiny policy's temp folder). */
export interface OwnedEngine {
  engine: RolloutEngine;
  dispose(): Promise<void>;
}

/** The policy of the onnx engine: the configured folder, or the tiny built-in one written to a temp folder. */
async function initialPolicy(
  config: Readonly<RolloutConfig>,
): Promise<{ policy: Policy; tmp: string | null }> {
  if (config.model) return { policy: await loadPolicy(config.model), tmp: null };
  const tmp = await mkdtemp(path.join(tmpdir(), 'grpo-rollout-'));
  const dir = path.join(tmp, 'tiny-policy');
  return { policy: await createTinyPolicy({ dir, seed: config.tinySeed }), tmp };
}

/** Builds the engine the config names. */
export async function createEngine(config: Readonly<RolloutConfig>): Promise<OwnedEngine> {
  if (config.engine === 'openai') {
    const tokenizer = config.model ? await HfTokenizer.fromFolder(config.model) : null;
    const engine = new OpenAIEngine({
      upstreams: config.upstreams,
      model: config.upstreamModel,
      tokenizer,
      timeoutMs: config.upstreamTimeoutMs,
      retries: config.upstreamRetries,
      backoffMs: config.upstreamBackoffMs,
      cooldownMs: config.upstreamCooldownMs,
      weightUpdate: config.upstreamWeightUpdate,
    });
    return { engine, dispose: () => engine.close() };
  }
  const session: SessionOptions = {
    executionProvider: config.executionProvider,
    ...(config.intraOpThreads > 0 ? { intraOpNumThreads: config.intraOpThreads } : {}),
  };
  const { policy, tmp } = await initialPolicy(config);
  try {
    const engine = await OnnxEngine.create(policy, {
      maxBatchSequences: config.maxBatchSequences,
      batchWindowMs: config.batchWindowMs,
      maxQueuedSequences: config.maxQueuedSequences,
      session,
    });
    return {
      engine,
      dispose: async () => {
        await engine.close();
        if (tmp) await rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
