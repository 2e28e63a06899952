import path from 'node:path';
import { MODEL_CONFIG, RewardModelError } from './errors.js';

/** The env var that holds the model table. */
export const REWARD_MODELS_ENV = 'GRPO_REWARD_MODELS';

/** One configured reward model: a folder exported by `optimum-cli export onnx --task text-classification`. */
export interface RewardModelEntry {
  /** The folder with model.onnx, config.json, tokenizer.json (+ tokenizer_config.json). Absolute after parsing. */
  readonly path: string;
  /**
   * Side padded in a batch; default: tokenizer_config.json `padding_side`, else `right` when
   * config.json has `pad_token_id` (as transformers) and `left` when it has none.
   */
  readonly paddingSide?: 'left' | 'right';
  /** Side cut when a sequence exceeds `maxTokens`; default: tokenizer_config.json `truncation_side`, else `right`. */
  readonly truncationSide?: 'left' | 'right';
  /** ORT execution provider; default `cpu`. */
  readonly executionProvider?: 'cpu' | 'cuda' | 'webgpu';
  /** ORT intra-op threads; default: libs/onnx's (the number of cores). */
  readonly intraOpNumThreads?: number;
  /** Cap on batch × padded length per session.run (memory bound); default {@link DEFAULT_MAX_BATCH_TOKENS}. */
  readonly maxBatchTokens?: number;
  /** How long the micro-batcher waits for more items after the first arrives; default {@link DEFAULT_BATCH_WAIT_MS}. */
  readonly batchWaitMs?: number;
}

export type RewardModelTable = Readonly<Record<string, RewardModelEntry>>;

export const DEFAULT_MAX_BATCH_TOKENS = 65_536;
export const DEFAULT_BATCH_WAIT_MS = 2;
/** Upper bounds of the entry options. */
export const MAX_BATCH_TOKENS_LIMIT = 16 * 1024 * 1024;
export const MAX_BATCH_WAIT_MS = 1000;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KEYS = new Set([
  'path',
  'paddingSide',
  'truncationSide',
  'executionProvider',
  'intraOpNumThreads',
  'maxBatchTokens',
  'batchWaitMs',
]);

const bad = (field: string, message: string) => new RewardModelError(MODEL_CONFIG, field, message);

function side(v: unknown, field: string): 'left' | 'right' | undefined {
  if (v === undefined) return undefined;
  if (v === 'left' || v === 'right') return v;
  throw bad(field, `${field} must be "left" or "right", got ${JSON.stringify(v)}`);
}

function int(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(field, `${field} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function entryOf(name: string, raw: unknown, field: string, cwd: string): RewardModelEntry {
  if (!NAME.test(name))
    throw bad(field, `model name ${JSON.stringify(name)} must match ${NAME} (letters, digits, _ . -)`);
  const obj = typeof raw === 'string' ? { path: raw } : raw;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    throw bad(field, `${field} must be a folder path or an object {path, ...}`);
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.has(k))
      throw bad(`${field}.${k}`, `unknown option ${field}.${k}; allowed: ${[...KEYS].join(', ')}`);
  if (typeof o.path !== 'string' || o.path.trim() === '')
    throw bad(`${field}.path`, `${field}.path must be a non-empty folder path`);
  const ep = o.executionProvider;
  if (ep !== undefined && ep !== 'cpu' && ep !== 'cuda' && ep !== 'webgpu')
    throw bad(`${field}.executionProvider`, `${field}.executionProvider must be cpu, cuda or webgpu`);
  const entry: {
    -readonly [K in keyof RewardModelEntry]: RewardModelEntry[K];
  } = { path: path.resolve(cwd, o.path.trim()) };
  const ps = side(o.paddingSide, `${field}.paddingSide`);
  if (ps) entry.paddingSide = ps;
  const ts = side(o.truncationSide, `${field}.truncationSide`);
  if (ts) entry.truncationSide = ts;
  if (ep) entry.executionProvider = ep;
  const threads = int(o.intraOpNumThreads, `${field}.intraOpNumThreads`, 1, 1024);
  if (threads !== undefined) entry.intraOpNumThreads = threads;
  const mbt = int(o.maxBatchTokens, `${field}.maxBatchTokens`, 1, MAX_BATCH_TOKENS_LIMIT);
  if (mbt !== undefined) entry.maxBatchTokens = mbt;
  const wait = int(o.batchWaitMs, `${field}.batchWaitMs`, 0, MAX_BATCH_WAIT_MS);
  if (wait !== undefined) entry.batchWaitMs = wait;
  return Object.freeze(entry);
}

/**
 * Parses a model table: JSON `{"helpful": "/models/rm", "safety": {"path": "/models/s",
 * "paddingSide": "left"}}`, or the short form `helpful=/models/rm,safety=/models/s`.
 * Relative paths resolve against `cwd`. Empty text is an empty table. Throws
 * `GRPO_REWARD_MODEL_CONFIG` naming the field.
 */
export function parseRewardModelTable(
  text: string,
  field = REWARD_MODELS_ENV,
  cwd = process.cwd(),
): RewardModelTable {
  const t = text.trim();
  if (t === '') return Object.freeze({});
  const out: Record<string, RewardModelEntry> = {};
  if (t.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (e) {
      throw bad(field, `${field} is not valid JSON: ${(e as Error).message}`);
    }
    for (const [name, raw] of Object.entries(json as Record<string, unknown>))
      out[name] = entryOf(name, raw, `${field}.${name}`, cwd);
    return Object.freeze(out);
  }
  for (const part of t.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(field, `${field}: expected name=path, got ${JSON.stringify(part.trim())}`);
    const name = part.slice(0, eq).trim();
    if (name in out) throw bad(`${field}.${name}`, `${field}: model ${JSON.stringify(name)} is listed twice`);
    out[name] = entryOf(name, part.slice(eq + 1), `${field}.${name}`, cwd);
  }
  return Object.freeze(out);
}

/** Normalises a table given as an object (names → path or entry), validating it like the env form. */
export function toRewardModelTable(
  table: Readonly<Record<string, string | RewardModelEntry>>,
  field = 'models',
  cwd = process.cwd(),
): RewardModelTable {
  const out: Record<string, RewardModelEntry> = {};
  for (const [name, raw] of Object.entries(table)) out[name] = entryOf(name, raw, `${field}.${name}`, cwd);
  return Object.freeze(out);
}

/** The model table from the environment (`GRPO_REWARD_MODELS`); empty when unset. */
export function rewardModelTableFromEnv(env: NodeJS.ProcessEnv = process.env): RewardModelTable {
  return parseRewardModelTable(env[REWARD_MODELS_ENV] ?? '');
}
