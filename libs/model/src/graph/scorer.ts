import { compileGraph } from '@grpo/graph';
import { type OnnxSession, type SessionOptions, scalar, type Tensor } from '@grpo/onnx';
import type { ModelConfig } from '../config.js';
import { BAD_INPUT, ModelError } from '../errors.js';
import type { TensorMap } from '../safetensors.js';
import { checkTokenIds, int64Tensor, RopeTables, weightFeeds } from './feeds.js';
import { buildLogprobGraph } from './graphs.js';

/** One sequence to score: prompt + completion ids; the completion is ids[promptLength..]. */
export interface ScoreSequence {
  ids: readonly number[];
  /** Number of prompt tokens (>= 1, < ids.length). */
  promptLength: number;
  /**
   * Per completion token (ids.length - promptLength values), 1 where the loss trains on it and
   * 0 where it does not (tool output in a tool-integrated trace). Default: all 1.
   */
  lossMask?: readonly number[];
}

export interface SequenceScores {
  /** log p(completion token) under softmax(logits / T), per completion token. */
  logprobs: Float64Array;
  /** Entropy (nats) of softmax(logits / T) at each completion position. */
  entropies: Float64Array;
}

/** The batch tensors of the logprob/train graphs: right-padded, positions 0.., targets shifted. */
export interface PackedBatch {
  feeds: Record<string, Tensor>;
  batch: number;
  seqLen: number;
}

/**
 * Packs sequences for the logprob and train graphs: right padding (pad id 0, mask 0), so no real
 * token ever attends to padding under the causal mask; position t of row b predicts ids[t + 1]
 * (targets, 0 past the end). Row b's completion logprobs are positions promptLength-1 .. len-2.
 */
export function packSequences(
  c: ModelConfig,
  rope: RopeTables,
  seqs: readonly ScoreSequence[],
  temperature: number,
): PackedBatch {
  if (seqs.length === 0) throw new ModelError(BAD_INPUT, 'sequences', 'sequences must not be empty');
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new ModelError(
      BAD_INPUT,
      'temperature',
      `temperature must be a finite number > 0, got ${temperature}`,
    );
  let seqLen = 0;
  seqs.forEach((s, i) => {
    if (!Number.isInteger(s.promptLength) || s.promptLength < 1 || s.promptLength >= s.ids.length)
      throw new ModelError(
        BAD_INPUT,
        `sequences[${i}].promptLength`,
        `promptLength must be in [1, ${s.ids.length - 1}], got ${s.promptLength}`,
      );
    if (s.lossMask !== undefined && s.lossMask.length !== s.ids.length - s.promptLength)
      throw new ModelError(
        BAD_INPUT,
        `sequences[${i}].lossMask`,
        `lossMask has ${s.lossMask.length} values for ${s.ids.length - s.promptLength} completion tokens`,
      );
    if (s.ids.length > c.maxPositionEmbeddings)
      throw new ModelError(
        BAD_INPUT,
        `sequences[${i}].ids`,
        `sequence of ${s.ids.length} tokens exceeds max_position_embeddings ${c.maxPositionEmbeddings}`,
      );
    checkTokenIds(s.ids, c.vocabSize, `sequences[${i}].ids`);
    seqLen = Math.max(seqLen, s.ids.length);
  });
  // The last token predicts nothing we score, so the graph needs seqLen - 1 positions.
  const T = seqLen - 1;
  const B = seqs.length;
  const ids = new Array<number>(B * T).fill(0);
  const targets = new Array<number>(B * T).fill(0);
  const mask = new Array<number>(B * T).fill(0);
  const pos = new Array<number>(B * T).fill(0);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.ids.length - 1; t++) {
      ids[b * T + t] = s.ids[t];
      targets[b * T + t] = s.ids[t + 1];
      mask[b * T + t] = 1;
      pos[b * T + t] = t;
    }
  });
  const { cos, sin } = rope.tensors(pos, B, T);
  return {
    batch: B,
    seqLen: T,
    feeds: {
      input_ids: int64Tensor(ids, [B, T]),
      targets: int64Tensor(targets, [B, T]),
      attention_mask: int64Tensor(mask, [B, T]),
      rope_cos: cos,
      rope_sin: sin,
      temperature: scalar('float32', temperature),
    },
  };
}

/**
 * (a) Per-token logprobs and entropies of completions under the policy at temperature T, on the
 * logprob graph: what the trainer (policy and reference model) recomputes for a rollout. Weights
 * are fed as inputs, so `setWeights` swaps the policy without a new session.
 */
export class PolicyScorer {
  readonly config: ModelConfig;
  private readonly session: OnnxSession;
  private readonly rope: RopeTables;
  private weights: Record<string, Tensor>;

  private constructor(config: ModelConfig, session: OnnxSession, weights: Record<string, Tensor>) {
    this.config = config;
    this.session = session;
    this.weights = weights;
    this.rope = new RopeTables(config);
  }

  static async create(
    config: ModelConfig,
    tensors: TensorMap,
    session?: SessionOptions,
  ): Promise<PolicyScorer> {
    const feeds = weightFeeds(config, tensors);
    return new PolicyScorer(config, await compileGraph(buildLogprobGraph(config), session), feeds);
  }

  /** Replaces the weights (same config). */
  setWeights(tensors: TensorMap): void {
    this.weights = weightFeeds(this.config, tensors);
  }

  /** Scores a batch of sequences in one run (right-padded to the longest). */
  async score(seqs: readonly ScoreSequence[], temperature = 1): Promise<SequenceScores[]> {
    const packed = packSequences(this.config, this.rope, seqs, temperature);
    const out = await this.session.run({ ...packed.feeds, ...this.weights });
    const lp = out.logprobs!.data as Float32Array;
    const ent = out.entropy!.data as Float32Array;
    const T = packed.seqLen;
    return seqs.map((s, b) => {
      const n = s.ids.length - s.promptLength;
      const from = b * T + s.promptLength - 1;
      return {
        logprobs: Float64Array.from(lp.subarray(from, from + n)),
        entropies: Float64Array.from(ent.subarray(from, from + n)),
      };
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
