import type { Termination, ToolCallRecord } from '@grpo/contracts';
import type { HfTokenizer, SamplingParams } from '@grpo/model';
import type { GroupTools } from '../tools/index.js';

/** One sampled completion as the routes return it. */
export interface SampledCompletion {
  tokenIds: number[];
  /** Per generated token: log p under softmax(logits / T), before top-k/top-p. */
  logprobs: number[];
  /** Decoded text without a final EOS token, cut before a stop string. */
  text: string;
  finishReason: 'stop' | 'length';
  /** The EOS id or stop string that ended generation, else null. */
  stopReason: number | string | null;
  /** Tool rollouts only (see libs/contracts tools.ts). */
  lossMask?: number[];
  turns?: number;
  toolCalls?: ToolCallRecord[];
  termination?: Termination;
  voidTurn?: boolean;
  toolMs?: number;
  modelMs?: number;
}

/** A prompt as the engine receives it: token ids, or text when only an upstream can tokenise it. */
export type EnginePrompt = { tokenIds: readonly number[] } | { text: string };

/** One group of a rollout batch (G completions of one prompt). */
export interface EngineGroup {
  prompt: EnginePrompt;
  groupSize: number;
  sampling: SamplingParams;
  maxTokens: number;
  stop: readonly string[];
  seed: number;
  /** A tool rollout: one trajectory per sample (absent: plain sampling). */
  tools?: GroupTools;
}

export interface EngineResult {
  /** completions[i][j]: sample j of group i. */
  completions: SampledCompletion[][];
  /** The policy version that produced every group. */
  policyVersion: number;
  model: string;
  promptTokens: number;
  generatedTokens: number;
}

export interface PolicyState {
  model: string;
  version: number;
  engine: 'onnx' | 'openai';
  path: string | null;
  upstreams?: { url: string; healthy: boolean; failures: number }[];
}

export interface PolicySwap {
  version: number;
  previousVersion: number;
  model: string;
}

/** What the routes need of an engine. */
export interface RolloutEngine {
  readonly kind: 'onnx' | 'openai';
  /** The tokenizer used to render text and chat prompts (null: text goes to the upstream as is). */
  tokenizer(): HfTokenizer | null;
  /** Largest prompt + completion the model takes (null when unknown). */
  maxPositions(): number | null;
  /** Vocabulary size for token-id checks (null when unknown). */
  vocabSize(): number | null;
  generate(groups: readonly EngineGroup[]): Promise<EngineResult>;
  policyInfo(): PolicyState;
  /** Loads a checkpoint folder; resolves once requests run on it. */
  loadPolicy(path: string): Promise<PolicySwap>;
  close(): Promise<void>;
}
