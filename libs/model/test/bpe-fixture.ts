/**
 * A small byte-level BPE tokenizer.json in the exact layout of Qwen2/Qwen2.5 (NFC normaliser,
 * the Qwen2 split regex + ByteLevel pre-tokenizer, ByteLevel decoder, ChatML added tokens),
 * with a handful of merges, so tests exercise the same components as the real 150k-token file.
 */

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100.. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => {
    out[b] = String.fromCodePoint(cs[i]);
  });
  return out;
}

export const QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const MERGES = ['Ġ t', 'h e', 'Ġt he', 'l l', 'he ll', 'hell o', '1 2', '12 3'];

/** Llama 3's split: like Qwen2's but numbers in groups of up to three digits. */
export const LLAMA3_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * Pre-tokenizer and post-processor layouts of three families: `qwen2` (NFC + Qwen2 split +
 * ByteLevel), `smollm2` (individual Digits + ByteLevel with its GPT-2 regex), `llama3` (Llama 3
 * split + ByteLevel, and a TemplateProcessing post-processor that prepends <|begin_of_text|>).
 */
export type Layout = 'qwen2' | 'smollm2' | 'llama3';

export function byteLevelTokenizer(layout: Layout = 'qwen2'): {
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
} {
  const vocab: Record<string, number> = {};
  for (const ch of bytesToUnicode()) vocab[ch] = Object.keys(vocab).length;
  for (const m of MERGES) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  const base = Object.keys(vocab).length;
  const specials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|begin_of_text|>'];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const bos = base + 3;
  const layouts = {
    qwen2: {
      normalizer: { type: 'NFC' },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: QWEN2_SPLIT }, behavior: 'Isolated', invert: false },
          byteLevel,
        ],
      },
      post_processor: byteLevel,
    },
    smollm2: {
      normalizer: null,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Digits', individual_digits: true },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
        ],
      },
      post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    },
    llama3: {
      normalizer: null,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: LLAMA3_SPLIT }, behavior: 'Isolated', invert: false },
          byteLevel,
        ],
      },
      post_processor: {
        type: 'Sequence',
        processors: [
          { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
          {
            type: 'TemplateProcessing',
            single: [
              { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
            ],
            pair: [
              { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } },
              { Sequence: { id: 'B', type_id: 1 } },
            ],
            special_tokens: {
              '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [bos], tokens: ['<|begin_of_text|>'] },
            },
          },
        ],
      },
    },
  }[layout];
  return {
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      ...layouts,
      added_tokens: specials.map((content, i) => ({
        id: base + i,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        vocab,
        merges: MERGES,
      },
    },
    tokenizerConfig: {
      add_prefix_space: false,
      bos_token: layout === 'llama3' ? '<|begin_of_text|>' : null,
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      unk_token: null,
      clean_up_tokenization_spaces: false,
      model_max_length: 131072,
      tokenizer_class: 'Qwen2Tokenizer',
      errors: 'replace',
    },
  };
}
