import path from 'node:path';
import type { DataSpec, ModelSpec, RunConfig, StageSpec } from '@grpo/contracts';
import { createTinyPolicy, loadPolicy, type Policy } from '@grpo/model';
import { generateArithmetic } from '../data/arithmetic.js';
import type { Example } from '../data/example.js';
import { loadJsonl } from '../data/jsonl.js';
import { generateMultiplication } from '../data/multiplication.js';
import { BAD_RUN_CONFIG, TrainerError } from '../errors.js';
import { exists } from './atomic.js';

export interface RunData {
  train: Example[];
  eval: Example[];
  /** Prompts of the grpo and rejection_sampling stages; empty: they use `train`. */
  rl: Example[];
}

/** Built-in arithmetic split sizes and seeds (documented in the RunConfig schema). */
export const ARITHMETIC_DEFAULTS = {
  train: { count: 400, seed: 1, idPrefix: 'train' },
  eval: { count: 100, seed: 2, idPrefix: 'eval' },
  rl: { count: 1000, seed: 3, idPrefix: 'rl' },
} as const;

/** The operands and operator of an arithmetic prompt, whatever its language. */
function problemKey(e: Example): string {
  return e.prompt.replace(/[^0-9+-]+/g, ' ').trim();
}

/** Loads or generates the train and eval examples of a run. */
export function loadRunData(spec: DataSpec): RunData {
  if ('builtin' in spec && spec.builtin === 'multiplication') {
    const gen = (split: 'train' | 'eval' | 'rl') => {
      const o = {
        ...ARITHMETIC_DEFAULTS[split],
        count: split === 'train' ? 200 : split === 'eval' ? 100 : 1000,
        ...(spec[split] ?? {}),
      };
      try {
        return generateMultiplication({ ...o, tools: spec.tools ?? true });
      } catch (err) {
        throw new TrainerError(BAD_RUN_CONFIG, `data.${split}`, (err as Error).message);
      }
    };
    const evalSet = gen('eval');
    const held = new Set(evalSet.map((e) => e.prompt));
    const train = gen('train').filter((e) => !held.has(e.prompt));
    const seen = new Set(train.map((e) => e.prompt));
    const rl = spec.rl ? gen('rl').filter((e) => !held.has(e.prompt) && !seen.has(e.prompt)) : [];
    return { train, eval: evalSet, rl };
  }
  if ('builtin' in spec) {
    const gen = (split: 'train' | 'eval' | 'rl') => {
      const o = { ...ARITHMETIC_DEFAULTS[split], ...(spec[split] ?? {}) };
      try {
        return generateArithmetic(o);
      } catch (err) {
        throw new TrainerError(BAD_RUN_CONFIG, `data.${split}`, (err as Error).message);
      }
    };
    const evalSet = gen('eval');
    // Held out means unseen: drop training problems that also appear in the eval split.
    const held = new Set(evalSet.map(problemKey));
    const train = gen('train').filter((e) => !held.has(problemKey(e)));
    // The rl prompts are new problems too: neither held out nor among the worked traces.
    const traced = new Set(train.map(problemKey));
    const rl = spec.rl ? gen('rl').filter((e) => !held.has(problemKey(e)) && !traced.has(problemKey(e))) : [];
    return { train, eval: evalSet, rl };
  }
  const load = (p: string, field: string) => {
    try {
      return loadJsonl(p);
    } catch (err) {
      throw new TrainerError(BAD_RUN_CONFIG, field, (err as Error).message);
    }
  };
  const train = load(spec.path, 'data.path');
  return {
    train,
    eval: spec.evalPath ? load(spec.evalPath, 'data.evalPath') : [],
    rl: spec.rlPath ? load(spec.rlPath, 'data.rlPath') : [],
  };
}

/** Every non-ASCII character of the data, sorted: the tiny char-level vocabulary must cover them. */
export function dataChars(data: RunData): string {
  const set = new Set<string>();
  for (const e of [...data.train, ...data.eval, ...data.rl]) {
    for (const ch of `${e.prompt}${e.completion ?? ''}${e.answer}${(e.segments ?? []).map((x) => x.text).join('')}`)
      if (ch.codePointAt(0)! > 0x7e) set.add(ch);
  }
  return [...set].sort().join('');
}

export const BASE_MODEL_DIR = 'base-model';

/**
 * The starting model: a folder path as given, or the tiny policy written once into
 * `<runDir>/base-model` (a resumed run finds it there). Returns the folder the tokenizer
 * files are copied from and the loaded policy.
 */
export async function prepareBaseModel(
  spec: ModelSpec,
  runDir: string,
  data: RunData,
): Promise<{ dir: string; policy: Policy }> {
  if (typeof spec === 'string') {
    const dir = path.resolve(spec);
    if (!(await exists(path.join(dir, 'config.json')))) {
      throw new TrainerError(BAD_RUN_CONFIG, 'model', `no config.json in model folder ${dir}`);
    }
    return { dir, policy: await loadPolicy(dir) };
  }
  const dir = path.join(runDir, BASE_MODEL_DIR);
  if (await exists(path.join(dir, 'config.json'))) return { dir, policy: await loadPolicy(dir) };
  const t = spec.tiny;
  const policy = await createTinyPolicy({
    dir,
    seed: t.seed ?? 1,
    hiddenSize: t.hiddenSize,
    layers: t.layers,
    heads: t.heads,
    kvHeads: t.kvHeads,
    extraChars: t.extraChars ?? dataChars(data),
  });
  return { dir, policy };
}

/** Stages that call the rollout and reward services. */
export function needsServices(config: RunConfig): boolean {
  return config.stages.some(stageNeedsServices);
}

/** The stage step of an sft stage's first `until` check. */
export function untilFirstCheck(u: NonNullable<StageSpec['until']>): number {
  return u.from ?? u.every;
}

/** Whether a stage samples and scores: every stage but sft, and an sft stage with `until` checks. */
export function stageNeedsServices(s: StageSpec): boolean {
  return s.type !== 'sft' || s.until !== undefined;
}
