/**
 * Writes the tiny reward-model fixture, a folder laid out like `optimum-cli export onnx
 * --task text-classification` output: `model.onnx` (inputs `input_ids`, `attention_mask`
 * int64 (batch, seq); output `logits` float32 (batch, 2)), `config.json` (`id2label`,
 * `num_labels`, `pad_token_id`), `tokenizer.json` and `tokenizer_config.json` (the tiny
 * char-level tokenizer of libs/model with a ChatML template, left padding).
 *
 * The classifier, built with libs/graph and with its weights stored as initializers:
 *   emb = E[input_ids]                                   (batch, seq, d)
 *   mean = Σ_t mask_t emb_t / max(Σ_t mask_t, 1)          masked mean pooling
 *   last = Σ_t sel_t emb_t, sel_t = real_t (1 − real_{t+1}), real_t = (id_t != pad_token_id)
 *                                                        the last non-pad token, whatever the padding side
 *   logits = tanh([mean, last]) W + b                     (batch, 2)
 * Padding with pad_token_id does not change a row's logits; the last-token pooling reads the
 * ids, as transformers' LlamaForSequenceClassification does.
 *
 *   node --conditions=source --import tsx libs/rewards/scripts/make-reward-model.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Graph, Rng } from '@grpo/graph';
import { buildCharTokenizer } from '@grpo/model';

/** Width of the embedding. */
export const FIXTURE_D_MODEL = 16;
/** Seed of the weights; the same seed gives the same bytes. */
export const FIXTURE_SEED = 7;
export const FIXTURE_LABELS = ['negative', 'positive'] as const;

const normals = (rng: Rng, n: number, std: number) =>
  Float32Array.from({ length: n }, () => rng.normal() * std);

/** The ONNX bytes of the tiny classifier for a vocabulary of `vocab` ids. */
export function buildClassifierOnnx(
  vocab: number,
  padTokenId: number,
  d = FIXTURE_D_MODEL,
  seed = FIXTURE_SEED,
): Uint8Array {
  const rng = new Rng(seed);
  const g = new Graph();
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  const table = g.constant(normals(rng, vocab * d, 1), [vocab, d]);
  const w = g.constant(normals(rng, 2 * d * 2, 1 / Math.sqrt(2 * d)), [2 * d, 2]);
  const b = g.constant(Float32Array.from([0.1, -0.2]), [2]);

  const emb = g.gather(table, ids);
  const m = g.cast(mask, 'float32');
  const m3 = g.unsqueeze(m, [2]);
  const mean = g.div(g.sum(g.mul(emb, m3), [1]), g.maximum(g.sum(m3, [1]), 1));
  // Like transformers' *ForSequenceClassification, the row's end is found from the ids, not the
  // mask: real_t = (id_t != pad_token_id), and the last real token is real_t (1 − real_{t+1}).
  // So a batch padded with another id than config.json's pad_token_id scores differently.
  const real = g.sub(1, g.cast(g.equal(ids, padTokenId), 'float32'));
  // real shifted left by one with a zero appended; Pad keeps the (batch, seq) shape, which the
  // builder cannot infer through slice + concat.
  const next = g.node('Pad', [g.slice(real, 1, 1), g.ints([0, 0, 0, 1])], 'float32', ['batch', 'seq']);
  const sel = g.unsqueeze(g.mul(real, g.sub(1, next)), [2]);
  const last = g.sum(g.mul(emb, sel), [1]);
  const h = g.tanh(g.concat([mean, last], 1));
  g.output('logits', g.add(g.matmul(h, w), b));
  return g.toOnnx('tiny_reward_model');
}

/** Writes the fixture folder; returns the file names written. */
export async function writeRewardModelFolder(dir: string): Promise<string[]> {
  const tok = buildCharTokenizer();
  await fs.mkdir(dir, { recursive: true });
  const config = {
    architectures: ['TinyForSequenceClassification'],
    model_type: 'tiny-classifier',
    hidden_size: FIXTURE_D_MODEL,
    vocab_size: tok.vocabSize,
    num_labels: FIXTURE_LABELS.length,
    id2label: Object.fromEntries(FIXTURE_LABELS.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(FIXTURE_LABELS.map((l, i) => [l, i])),
    pad_token_id: tok.ids['<|endoftext|>'],
  };
  const tokenizerConfig = { ...tok.tokenizerConfig, padding_side: 'left', truncation_side: 'right' };
  const files: Record<string, Uint8Array | string> = {
    'model.onnx': buildClassifierOnnx(tok.vocabSize, config.pad_token_id),
    'config.json': `${JSON.stringify(config, null, 2)}\n`,
    'tokenizer.json': `${JSON.stringify(tok.tokenizer)}\n`,
    'tokenizer_config.json': `${JSON.stringify(tokenizerConfig, null, 2)}\n`,
  };
  for (const [name, data] of Object.entries(files)) await fs.writeFile(path.join(dir, name), data);
  return Object.keys(files);
}

/** Where the committed fixture lives. */
export const FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/reward-model/', import.meta.url));

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = await writeRewardModelFolder(FIXTURE_DIR);
  for (const n of names) {
    const { size } = await fs.stat(path.join(FIXTURE_DIR, n));
    console.log(`${n}: ${size} bytes`);
  }
}
