import path from 'node:path';
import { FIXTURE_PROMPT } from '../scripts/fixture-specs.js';
import { loadPolicy, type Policy } from '../src/index.js';
import { fixturesDir } from './helpers.js';

/** The three committed fixture families (llama: GQA + llama3 RoPE + untied; qwen2: biases; qwen3: q/k norms). */
export const FAMILIES = ['tiny-llama', 'tiny-qwen2', 'tiny-qwen3'] as const;

const cache = new Map<string, Promise<Policy>>();

/** Loads a committed fixture policy once per test file. */
export function fixture(name: string): Promise<Policy> {
  let p = cache.get(name);
  if (!p) {
    p = loadPolicy(path.join(fixturesDir, name));
    cache.set(name, p);
  }
  return p;
}

/** A prompt + completion of ~30 tokens in the fixtures' char vocabulary. */
export function sampleIds(p: Policy): number[] {
  return p.tokenizer.encode(`${FIXTURE_PROMPT}<|im_start|>assistant\n<think>7+12</think>19`);
}
