import { BAD_INPUT, ModelError } from './errors.js';
import type { ReferenceModel } from './reference.js';

export interface SequenceLogprobs {
  /** log p(token_t | tokens_<t) under softmax(logits / T), for each completion token. */
  logprobs: Float64Array;
  /** Entropy (nats) of softmax(logits / T) at each completion position. */
  entropies: Float64Array;
}

/**
 * What the trainer recomputes for a rollout: per-token logprobs and entropies of the completion
 * `ids[promptLength..]` given everything before it, at sampling temperature T (the logits are
 * divided by T, as the sampler does before reporting its logprob). The reference for the
 * logprob/entropy graph of libs/graph.
 */
export function sequenceLogprobs(
  model: ReferenceModel,
  ids: readonly number[],
  promptLength: number,
  temperature = 1,
): SequenceLogprobs {
  if (!Number.isInteger(promptLength) || promptLength < 1 || promptLength >= ids.length) {
    throw new ModelError(
      BAD_INPUT,
      'promptLength',
      `promptLength must be in [1, ${ids.length - 1}], got ${promptLength}`,
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new ModelError(BAD_INPUT, 'temperature', `temperature must be > 0, got ${temperature}`);
  const v = model.config.vocabSize;
  const logits = model.forward(ids);
  const n = ids.length - promptLength;
  const logprobs = new Float64Array(n);
  const entropies = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Position t predicts token t + 1.
    const row = (promptLength - 1 + i) * v;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < v; j++) max = Math.max(max, logits[row + j] / temperature);
    let z = 0;
    for (let j = 0; j < v; j++) z += Math.exp(logits[row + j] / temperature - max);
    const lse = max + Math.log(z);
    let h = 0;
    for (let j = 0; j < v; j++) {
      const lp = logits[row + j] / temperature - lse;
      h -= Math.exp(lp) * lp;
    }
    logprobs[i] = logits[row + ids[promptLength + i]] / temperature - lse;
    entropies[i] = h;
  }
  return { logprobs, entropies };
}
