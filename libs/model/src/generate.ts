import { BAD_INPUT, ModelError } from './errors.js';
import type { ReferenceModel } from './reference.js';
import { createRng } from './rng.js';
import { findStop, isEos, type SamplingParams, sampleToken, validateSamplingParams } from './sampler.js';

export interface GenerateOptions {
  /** Prompt token ids (at least one). */
  promptIds: readonly number[];
  /** Most tokens to generate (>= 1). */
  maxTokens: number;
  sampling: SamplingParams;
  /** Seed and stream of the sampler: (seed, stream) fixes the completion. */
  seed: number;
  stream?: number;
  /** Generation ends after one of these ids (it is kept in tokenIds, as HF generate does). */
  eosTokenIds?: readonly number[];
  /** Generation ends when the decoded text contains one; the text is cut before it. Needs `decode`. */
  stop?: readonly string[];
  /** Turns completion ids into text (e.g. `ids => tokenizer.decode(ids)`). */
  decode?: (ids: readonly number[]) => string;
}

export interface Completion {
  tokenIds: number[];
  /** Per generated token: log p under softmax(logits / T), unfiltered (see sampler.ts). */
  logprobs: number[];
  /** Decoded completion (cut before a stop string), or null without `decode`. */
  text: string | null;
  finishReason: 'eos' | 'stop' | 'length';
}

/**
 * Autoregressive generation with the plain reference model and its KV cache: one prefill of
 * the prompt, then one decode step per token. Slow by design (the plain reference); engines
 * built on libs/graph must produce the same tokens and logprobs for the same seed.
 */
export function generateReference(model: ReferenceModel, o: GenerateOptions): Completion {
  if (o.promptIds.length === 0) throw new ModelError(BAD_INPUT, 'promptIds', 'promptIds must not be empty');
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1)
    throw new ModelError(BAD_INPUT, 'maxTokens', `maxTokens must be an integer >= 1, got ${o.maxTokens}`);
  if (o.stop?.length && !o.decode)
    throw new ModelError(BAD_INPUT, 'stop', 'stop strings need a decode function');
  validateSamplingParams(o.sampling);
  const vocab = model.config.vocabSize;
  const cache = model.createCache(
    Math.min(model.config.maxPositionEmbeddings, o.promptIds.length + o.maxTokens),
  );
  const rng = createRng(o.seed, o.stream ?? 0);
  const prefill = model.step(cache, o.promptIds);
  let logits = prefill.subarray((o.promptIds.length - 1) * vocab);
  const tokenIds: number[] = [];
  const logprobs: number[] = [];
  let text: string | null = o.decode ? '' : null;
  for (;;) {
    const { tokenId, logprob } = sampleToken(logits, o.sampling, rng);
    tokenIds.push(tokenId);
    logprobs.push(logprob);
    if (isEos(tokenId, o.eosTokenIds ?? []))
      return { tokenIds, logprobs, text: o.decode ? o.decode(tokenIds) : null, finishReason: 'eos' };
    if (o.decode) {
      const prev = text?.length ?? 0;
      text = o.decode(tokenIds);
      const hit = o.stop?.length ? findStop(text, o.stop, prev) : null;
      if (hit) return { tokenIds, logprobs, text: text.slice(0, hit.index), finishReason: 'stop' };
    }
    if (tokenIds.length >= o.maxTokens || cache.length >= cache.capacity)
      return { tokenIds, logprobs, text, finishReason: 'length' };
    logits = model.step(cache, [tokenId]);
  }
}
