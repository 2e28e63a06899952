import { BAD_INPUT, ModelError } from './errors.js';

/**
 * The tiny model's character-level tokenizer, written in the real `tokenizer.json` format so it
 * loads through the same code path as any Hugging Face tokenizer: a BPE model with no merges
 * (every vocabulary character is one token) and byte fallback (`<0xNN>` tokens, as Llama 2's
 * tokenizer), so any text encodes losslessly, including characters outside the vocabulary.
 *
 * Ids: special tokens first (in {@link CHAR_SPECIAL_TOKENS} order), then the 256 byte tokens,
 * then `\t`, `\n`, printable ASCII (0x20–0x7E), then the extra characters in the order given.
 */

/** Special tokens of the tiny tokenizer, ids 0..6. The R1 tags are added tokens, not "special", so decoding keeps them. */
export const CHAR_SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<think>',
  '</think>',
  '<answer>',
  '</answer>',
] as const;
/** Tokens skipped by `decode(..., {skipSpecialTokens: true})`. */
const SKIPPABLE = new Set(['<|endoftext|>', '<|im_start|>', '<|im_end|>']);

/** ChatML, as Qwen2.5 without the tools branch and without a default system prompt. */
export const CHATML_TEMPLATE =
  "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

export interface CharTokenizerOptions {
  /** Characters added to the vocabulary after printable ASCII, e.g. common CJK characters for Chinese prompts. Duplicates and ASCII are skipped. */
  extraChars?: string;
  /** `model_max_length` written to tokenizer_config.json; default 2048. */
  modelMaxLength?: number;
  /** The chat template; default {@link CHATML_TEMPLATE}. */
  chatTemplate?: string;
}

export interface CharTokenizerFiles {
  /** The `tokenizer.json` object. */
  tokenizer: Record<string, unknown>;
  /** The `tokenizer_config.json` object. */
  tokenizerConfig: Record<string, unknown>;
  vocabSize: number;
  /** Ids of the special tokens by content. */
  ids: Record<(typeof CHAR_SPECIAL_TOKENS)[number], number>;
}

/** Builds tokenizer.json + tokenizer_config.json for the character-level tokenizer. */
export function buildCharTokenizer(opts: CharTokenizerOptions = {}): CharTokenizerFiles {
  const vocab: Record<string, number> = {};
  let next = 0;
  const add = (tok: string) => {
    if (!(tok in vocab)) vocab[tok] = next++;
  };
  for (const t of CHAR_SPECIAL_TOKENS) add(t);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  add('\t');
  add('\n');
  for (let c = 0x20; c <= 0x7e; c++) add(String.fromCharCode(c));
  for (const ch of opts.extraChars ?? '') {
    if (/\s/u.test(ch) && ch !== ' ')
      throw new ModelError(
        BAD_INPUT,
        'extraChars',
        `extraChars must not contain whitespace other than space, got U+${ch.codePointAt(0)?.toString(16)}`,
      );
    add(ch);
  }
  const added = CHAR_SPECIAL_TOKENS.map((content) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: SKIPPABLE.has(content),
  }));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const addedDecoder: Record<string, unknown> = {};
  for (const a of added) {
    const { id, ...rest } = a;
    addedDecoder[String(id)] = rest;
  }
  const tokenizerConfig = {
    add_bos_token: false,
    add_eos_token: false,
    added_tokens_decoder: addedDecoder,
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    chat_template: opts.chatTemplate ?? CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: opts.modelMaxLength ?? 2048,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  const ids = Object.fromEntries(CHAR_SPECIAL_TOKENS.map((t) => [t, vocab[t]])) as CharTokenizerFiles['ids'];
  return { tokenizer, tokenizerConfig, vocabSize: next, ids };
}
