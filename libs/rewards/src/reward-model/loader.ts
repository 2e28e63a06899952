import fs from 'node:fs/promises';
import path from 'node:path';
import type { HfTokenizer } from '@grpo/model';
import type { OnnxSession, Tensor } from '@grpo/onnx';
import type { RewardModelEntry } from './config.js';
import { BAD_MODEL_FOLDER, MODEL_UNSUPPORTED, RewardModelError } from './errors.js';

/**
 * ONNX inputs a text-classification export may have (optimum-cli `--task text-classification`):
 * `input_ids` always, `attention_mask` almost always, `token_type_ids` for BERT/DeBERTa,
 * `position_ids` for some decoder exports. Anything else (e.g. `past_key_values.*`) is refused.
 */
export const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'] as const;

/**
 * protobuf caps one message at 2 GiB and libs/onnx creates sessions from in-memory bytes, so a
 * model.onnx must be below this size and hold its weights inline (no external-data file).
 */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

/** A model folder loaded into one ORT session, with its tokenizer and label table. */
export interface LoadedRewardModel {
  readonly name: string;
  readonly dir: string;
  readonly tokenizer: HfTokenizer;
  /** Label names by logit index (config.json `id2label`; `LABEL_<i>` where absent). */
  readonly labels: readonly string[];
  readonly paddingSide: 'left' | 'right';
  readonly truncationSide: 'left' | 'right';
  /** Id written at padded positions: config.json `pad_token_id`, else the tokenizer's pad, else EOS, else 0. */
  readonly padTokenId: number;
  readonly inputNames: readonly string[];
  readonly outputName: string;
  /**
   * Runs one padded batch: `rows` of token ids (each non-empty) → one logits row per input
   * row, (numLabels) each. Padding follows `paddingSide`.
   */
  run(rows: readonly (readonly number[])[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

type Json = Record<string, unknown>;

async function readJson(file: string): Promise<Json> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new RewardModelError(
      BAD_MODEL_FOLDER,
      file,
      `missing ${path.basename(file)} in ${path.dirname(file)}`,
    );
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (e) {
    throw new RewardModelError(BAD_MODEL_FOLDER, file, `cannot parse ${file}: ${(e as Error).message}`);
  }
}

/** Label names from config.json: `id2label` (string keys), padded to `num_labels` with `LABEL_<i>`. */
export function labelsOf(config: Json, file = 'config.json'): string[] {
  const id2label = (config.id2label ?? {}) as Json;
  if (typeof id2label !== 'object' || Array.isArray(id2label))
    throw new RewardModelError(BAD_MODEL_FOLDER, `${file}:id2label`, 'id2label must be an object');
  const ids = Object.keys(id2label).map(Number);
  if (ids.some((i) => !Number.isInteger(i) || i < 0))
    throw new RewardModelError(BAD_MODEL_FOLDER, `${file}:id2label`, 'id2label keys must be label indices');
  const declared = config.num_labels;
  const n = typeof declared === 'number' ? declared : ids.length ? Math.max(...ids) + 1 : 1;
  if (!Number.isInteger(n) || n < 1 || ids.some((i) => i >= n))
    throw new RewardModelError(
      BAD_MODEL_FOLDER,
      `${file}:num_labels`,
      `num_labels ${n} does not cover id2label`,
    );
  return Array.from({ length: n }, (_, i) => {
    const l = id2label[String(i)];
    return typeof l === 'string' ? l : `LABEL_${i}`;
  });
}

function sideOf(v: unknown, fallback: 'left' | 'right'): 'left' | 'right' {
  return v === 'left' || v === 'right' ? v : fallback;
}

/**
 * Loads a reward-model folder. libs/onnx and libs/model are imported here, on first load,
 * so the reward service's cpu worker threads, which import this package, never load ORT.
 */
export async function loadRewardModel(name: string, entry: RewardModelEntry): Promise<LoadedRewardModel> {
  const dir = entry.path;
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory())
    throw new RewardModelError(BAD_MODEL_FOLDER, dir, `reward model "${name}": ${dir} is not a folder`);
  const [{ HfTokenizer }, onnx] = await Promise.all([import('@grpo/model'), import('@grpo/onnx')]);

  const config = await readJson(path.join(dir, 'config.json'));
  const labels = labelsOf(config, path.join(dir, 'config.json'));
  let tokenizer: HfTokenizer;
  try {
    tokenizer = await HfTokenizer.fromFolder(dir);
  } catch (e) {
    const err = e as { field?: string; message?: string };
    throw new RewardModelError(BAD_MODEL_FOLDER, err.field ?? dir, `reward model "${name}": ${err.message}`, {
      cause: e,
    });
  }

  const modelPath = path.join(dir, 'model.onnx');
  const mstat = await fs.stat(modelPath).catch(() => null);
  if (!mstat?.isFile())
    throw new RewardModelError(
      BAD_MODEL_FOLDER,
      modelPath,
      `reward model "${name}": no model.onnx in ${dir}`,
    );
  const files = await fs.readdir(dir);
  const external = files.find((f) => /\.onnx[._]data$/.test(f) || f === 'model.onnx_data');
  if (external || mstat.size > MAX_MODEL_BYTES)
    throw new RewardModelError(
      MODEL_UNSUPPORTED,
      modelPath,
      `reward model "${name}": ${external ? `external weights (${external})` : `${mstat.size} bytes`} are not supported; ` +
        `model.onnx must hold its weights inline and be under 2 GiB (export in fp16, or quantize)`,
    );

  const sessionOptions: Parameters<typeof onnx.createSession>[1] = {};
  if (entry.executionProvider) sessionOptions.executionProvider = entry.executionProvider;
  if (entry.intraOpNumThreads) sessionOptions.intraOpNumThreads = entry.intraOpNumThreads;
  let session: OnnxSession;
  try {
    session = await onnx.createSession(await fs.readFile(modelPath), sessionOptions);
  } catch (e) {
    throw new RewardModelError(
      BAD_MODEL_FOLDER,
      modelPath,
      `reward model "${name}": ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const unknown = session.inputNames.filter((n) => !(KNOWN_INPUTS as readonly string[]).includes(n));
  if (unknown.length || !session.inputNames.includes('input_ids')) {
    await session.release();
    throw new RewardModelError(
      MODEL_UNSUPPORTED,
      `${modelPath}:inputs`,
      `reward model "${name}" has inputs [${session.inputNames.join(', ')}]; supported: input_ids (required), ` +
        `attention_mask, token_type_ids, position_ids (export without past key values)`,
    );
  }
  const outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
  if (!outputName || (session.outputNames.length > 1 && outputName !== 'logits')) {
    await session.release();
    throw new RewardModelError(
      MODEL_UNSUPPORTED,
      `${modelPath}:outputs`,
      `reward model "${name}" needs a "logits" output (batch, num_labels); it has [${session.outputNames.join(', ')}]`,
    );
  }

  const cfgPad = config.pad_token_id;
  const padTokenId =
    typeof cfgPad === 'number' && Number.isInteger(cfgPad) && cfgPad >= 0
      ? cfgPad
      : (tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0);
  // A decoder classifier without pad_token_id scores the last position of each row
  // (transformers' *ForSequenceClassification), which only left padding keeps on a real token.
  const paddingSide =
    entry.paddingSide ?? sideOf(tokenizer.config.padding_side, typeof cfgPad === 'number' ? 'right' : 'left');
  const truncationSide = entry.truncationSide ?? sideOf(tokenizer.config.truncation_side, 'right');
  const inputs = new Set(session.inputNames);

  const run = async (rows: readonly (readonly number[])[]): Promise<Float32Array[]> => {
    const b = rows.length;
    const seq = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(b * seq).fill(BigInt(padTokenId));
    const mask = new BigInt64Array(b * seq);
    const pos = new BigInt64Array(b * seq).fill(1n);
    rows.forEach((row, r) => {
      const start = r * seq + (paddingSide === 'left' ? seq - row.length : 0);
      for (let t = 0; t < row.length; t++) {
        ids[start + t] = BigInt(row[t] as number);
        mask[start + t] = 1n;
        // As transformers: position_ids = cumsum(attention_mask) - 1, and 1 at padded positions.
        pos[start + t] = BigInt(t);
      }
    });
    const feeds: Record<string, Tensor> = { input_ids: onnx.tensor('int64', ids, [b, seq], 'input_ids') };
    if (inputs.has('attention_mask')) feeds.attention_mask = onnx.tensor('int64', mask, [b, seq]);
    if (inputs.has('position_ids')) feeds.position_ids = onnx.tensor('int64', pos, [b, seq]);
    if (inputs.has('token_type_ids')) feeds.token_type_ids = onnx.zeros('int64', [b, seq]);
    const out = (await session.run(feeds, [outputName]))[outputName] as Tensor;
    const width = out.dims.length === 2 ? (out.dims[1] as number) : out.dims.length === 1 ? 1 : -1;
    if (width < 1 || out.dims[0] !== b || out.type !== 'float32')
      throw new RewardModelError(
        MODEL_UNSUPPORTED,
        `${modelPath}:outputs.${outputName}`,
        `reward model "${name}": ${outputName} is ${out.type} [${out.dims.join(', ')}], expected float32 (batch, num_labels)`,
      );
    const data = out.data as Float32Array;
    return rows.map((_, r) => data.slice(r * width, (r + 1) * width));
  };

  return {
    name,
    dir,
    tokenizer,
    labels,
    paddingSide,
    truncationSide,
    padTokenId,
    inputNames: session.inputNames,
    outputName,
    run,
    release: () => session.release(),
  };
}
