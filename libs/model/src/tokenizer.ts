import fs from 'node:fs/promises';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { BAD_INPUT, BAD_TEMPLATE, BAD_TOKENIZER, MISSING_FILE, ModelError } from './errors.js';

/** One chat message, as HF chat templates expect it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
  readonly [extra: string]: unknown;
}

export interface ChatTemplateOptions {
  /** Append the assistant header so the model continues as the assistant (default true). */
  addGenerationPrompt?: boolean;
  /** Extra variables for the template (e.g. `tools`, `enable_thinking`). */
  variables?: Record<string, unknown>;
}

export interface EncodeOptions {
  /** Run the post-processor (e.g. add BOS for Llama-style tokenizers); default false, since chat templates already write the special tokens. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`special: true` added tokens) from the text; default false. */
  skipSpecialTokens?: boolean;
}

/** Largest tokenizer.json read from disk (Qwen2's is ~7 MB, Llama 3's ~9 MB). */
export const MAX_TOKENIZER_JSON_BYTES = 64 * 1024 * 1024;

type Json = Record<string, unknown>;

/** The text of a special-token entry of tokenizer_config.json: a string or an AddedToken dict `{content}`. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string')
    return (v as Json).content as string;
  return null;
}

function pickTemplate(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') return raw;
  // Some configs hold a list of named templates; "default" is the chat one.
  if (Array.isArray(raw)) {
    const def = raw.find((t) => t && typeof t === 'object' && (t as Json).name === 'default');
    const tpl = (def as Json | undefined)?.template;
    if (typeof tpl === 'string') return tpl;
  }
  throw new ModelError(
    BAD_TOKENIZER,
    'tokenizer_config.json:chat_template',
    'chat_template must be a string or a list with a "default" entry',
  );
}

/**
 * A Hugging Face tokenizer (tokenizer.json through @huggingface/tokenizers) with its
 * tokenizer_config.json: special tokens and the Jinja chat template (@huggingface/jinja).
 */
export class HfTokenizer {
  readonly config: Readonly<Json>;
  readonly chatTemplate: string | null;
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  /** Number of ids (model vocabulary plus added tokens): the highest id + 1. */
  readonly vocabSize: number;
  private readonly tok: Tokenizer;
  private template: Template | null = null;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown = {}, chatTemplate?: string | null) {
    if (!tokenizerJson || typeof tokenizerJson !== 'object')
      throw new ModelError(BAD_TOKENIZER, 'tokenizer.json', 'tokenizer.json must be a JSON object');
    const model = (tokenizerJson as Json).model;
    if (!model || typeof model !== 'object')
      throw new ModelError(BAD_TOKENIZER, 'tokenizer.json:model', 'tokenizer.json has no model');
    const cfg = (tokenizerConfig && typeof tokenizerConfig === 'object' ? tokenizerConfig : {}) as Json;
    try {
      this.tok = new Tokenizer(tokenizerJson, cfg);
    } catch (e) {
      throw new ModelError(
        BAD_TOKENIZER,
        'tokenizer.json',
        `cannot build the tokenizer: ${(e as Error).message}`,
      );
    }
    this.config = Object.freeze({ ...cfg });
    this.chatTemplate = chatTemplate ?? pickTemplate(cfg.chat_template);
    this.bosToken = tokenText(cfg.bos_token);
    this.eosToken = tokenText(cfg.eos_token);
    this.padToken = tokenText(cfg.pad_token);
    const idOf = (t: string | null, field: string): number | null => {
      if (t === null) return null;
      const id = this.tok.token_to_id(t);
      if (id === undefined)
        throw new ModelError(
          BAD_TOKENIZER,
          `tokenizer_config.json:${field}`,
          `${field} "${t}" is not in the vocabulary`,
        );
      return id;
    };
    this.bosTokenId = idOf(this.bosToken, 'bos_token');
    this.eosTokenId = idOf(this.eosToken, 'eos_token');
    this.padTokenId = idOf(this.padToken, 'pad_token');
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) if (id > max) max = id;
    this.vocabSize = max + 1;
  }

  /** Loads tokenizer.json, tokenizer_config.json (optional) and chat_template.jinja (optional, newer HF layout) from a folder. */
  static async fromFolder(dir: string): Promise<HfTokenizer> {
    const tjPath = path.join(dir, 'tokenizer.json');
    let stat: { size: number };
    try {
      stat = await fs.stat(tjPath);
    } catch {
      throw new ModelError(MISSING_FILE, tjPath, `no tokenizer.json in ${dir}`);
    }
    if (stat.size > MAX_TOKENIZER_JSON_BYTES)
      throw new ModelError(
        BAD_TOKENIZER,
        tjPath,
        `tokenizer.json is ${stat.size} bytes, above the ${MAX_TOKENIZER_JSON_BYTES}-byte limit`,
      );
    const readJson = async (p: string): Promise<unknown> => {
      try {
        return JSON.parse(await fs.readFile(p, 'utf8'));
      } catch {
        // Never the parser's message: it quotes the file (issue #20).
        throw new ModelError(BAD_TOKENIZER, p, `cannot parse ${path.basename(p)}: not readable JSON`);
      }
    };
    const tj = await readJson(tjPath);
    const cfgPath = path.join(dir, 'tokenizer_config.json');
    const cfg = (await fileExists(cfgPath)) ? await readJson(cfgPath) : {};
    const jinjaPath = path.join(dir, 'chat_template.jinja');
    const tpl = (await fileExists(jinjaPath)) ? await fs.readFile(jinjaPath, 'utf8') : undefined;
    return new HfTokenizer(tj, cfg, tpl);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new ModelError(BAD_INPUT, 'text', 'text must be a string');
    return this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= this.vocabSize)
        throw new ModelError(BAD_INPUT, `ids[${i}]`, `token id ${ids[i]} is outside [0, ${this.vocabSize})`);
    }
    return this.tok.decode([...ids], {
      skip_special_tokens: opts.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** Renders messages with the chat template, as transformers' `apply_chat_template(tokenize=False)`. */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    if (!this.chatTemplate)
      throw new ModelError(
        BAD_TEMPLATE,
        'tokenizer_config.json:chat_template',
        'this tokenizer has no chat_template',
      );
    if (!Array.isArray(messages)) throw new ModelError(BAD_INPUT, 'messages', 'messages must be an array');
    messages.forEach((m, i) => {
      if (!m || typeof m.role !== 'string' || typeof m.content !== 'string')
        throw new ModelError(BAD_INPUT, `messages[${i}]`, 'each message needs a string role and content');
    });
    if (!this.template) {
      try {
        this.template = new Template(this.chatTemplate);
      } catch (e) {
        throw new ModelError(
          BAD_TEMPLATE,
          'tokenizer_config.json:chat_template',
          `chat template does not parse: ${(e as Error).message}`,
        );
      }
    }
    try {
      return this.template.render({
        messages,
        add_generation_prompt: opts.addGenerationPrompt ?? true,
        bos_token: this.bosToken ?? '',
        eos_token: this.eosToken ?? '',
        pad_token: this.padToken ?? '',
        ...opts.variables,
      });
    } catch (e) {
      throw new ModelError(
        BAD_TEMPLATE,
        'tokenizer_config.json:chat_template',
        `chat template failed to render: ${(e as Error).message}`,
      );
    }
  }

  /** Renders and encodes a chat prompt. */
  encodeChat(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): number[] {
    return this.encode(this.applyChatTemplate(messages, opts));
  }
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
