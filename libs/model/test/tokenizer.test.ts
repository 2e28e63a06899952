import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  BAD_TEMPLATE,
  BAD_TOKENIZER,
  buildCharTokenizer,
  CHAR_SPECIAL_TOKENS,
  HfTokenizer,
  type ModelError,
} from '../src/index.js';
import { byteLevelTokenizer } from './bpe-fixture.js';
import { QWEN25_TEMPLATE, SMOLLM2_TEMPLATE } from './chat-templates.js';
import { tmpDir } from './helpers.js';

function charTok(extraChars = '') {
  const f = buildCharTokenizer({ extraChars });
  return { files: f, tok: new HfTokenizer(f.tokenizer, f.tokenizerConfig) };
}

test('the char-level vocabulary starts with the special tokens in order', () => {
  const { files, tok } = charTok();
  assert.deepEqual(
    CHAR_SPECIAL_TOKENS.map((t) => tok.tokenToId(t)),
    CHAR_SPECIAL_TOKENS.map((_, i) => i),
  );
  assert.equal(files.vocabSize, 7 + 256 + 2 + 95);
  assert.equal(tok.vocabSize, files.vocabSize);
  assert.equal(tok.eosTokenId, 2);
  assert.equal(tok.padTokenId, 0);
});

test('char-level encoding gives one token per ASCII character and decodes back', () => {
  const { tok } = charTok();
  const ids = tok.encode('12+3=15\n');
  assert.equal(ids.length, 8);
  assert.deepEqual(
    ids.map((i) => tok.idToToken(i)),
    ['1', '2', '+', '3', '=', '1', '5', '\n'],
  );
  assert.equal(tok.decode(ids), '12+3=15\n');
});

test('special tokens and R1 tags inside text are single tokens', () => {
  const { tok } = charTok();
  const ids = tok.encode('<|im_start|>user\n<think>x</think><answer>4</answer><|im_end|>');
  assert.deepEqual(ids.slice(0, 1), [1]);
  assert.ok(ids.includes(3) && ids.includes(4) && ids.includes(5) && ids.includes(6));
  assert.equal(ids.at(-1), 2);
  assert.equal(ids.length, 1 + 4 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
});

test('skipSpecialTokens drops ChatML markers but keeps the reasoning tags', () => {
  const { tok } = charTok();
  const ids = tok.encode('<|im_start|>a<think>b</think><|im_end|>');
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'a<think>b</think>');
});

test('characters outside the vocabulary fall back to UTF-8 byte tokens and round-trip', () => {
  const { tok } = charTok();
  const ids = tok.encode('é😀');
  assert.deepEqual(
    ids.map((i) => tok.idToToken(i)),
    ['<0xC3>', '<0xA9>', '<0xF0>', '<0x9F>', '<0x98>', '<0x80>'],
  );
  assert.equal(tok.decode(ids), 'é😀');
});

test('extra characters such as CJK become single tokens after ASCII', () => {
  const { files, tok } = charTok('你好世界');
  assert.equal(files.vocabSize, 7 + 256 + 2 + 95 + 4);
  const ids = tok.encode('你好');
  assert.deepEqual(ids, [7 + 256 + 2 + 95, 7 + 256 + 2 + 95 + 1]);
  assert.equal(tok.decode(ids), '你好');
});

test('extra characters must not contain newlines', () => {
  assert.throws(
    () => buildCharTokenizer({ extraChars: 'a\n' }),
    (e: ModelError) => e.field === 'extraChars',
  );
});

test('the tiny tokenizer applies its ChatML template', () => {
  const { tok } = charTok();
  const text = tok.applyChatTemplate([{ role: 'user', content: '1+1?' }]);
  assert.equal(text, '<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(
    tok.applyChatTemplate([{ role: 'user', content: 'x' }], { addGenerationPrompt: false }),
    '<|im_start|>user\nx<|im_end|>\n',
  );
});

test('a Qwen2-layout byte-level BPE tokenizer applies merges in rank order', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  const ids = tok.encode('hello the world');
  assert.deepEqual(
    ids.map((i) => tok.idToToken(i)),
    ['hello', 'Ġthe', 'Ġ', 'w', 'o', 'r', 'l', 'd'],
  );
  assert.equal(tok.decode(ids), 'hello the world');
});

test('byte-level BPE encodes multi-byte text as byte symbols and decodes it back', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  const text = '你好, 123!\n\tdone';
  const ids = tok.encode(text);
  // "你" is three UTF-8 bytes, each its own symbol; digits are split one by one (\p{N}).
  assert.deepEqual(
    ids.slice(0, 3).map((i) => tok.idToToken(i)),
    ['ä', '½', 'ł'],
  );
  assert.equal(tok.decode(ids), text);
});

test('byte-level BPE keeps ChatML special tokens whole and can skip them', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  const ids = tok.encode('<|im_start|>hello<|im_end|>');
  assert.deepEqual(
    ids.map((i) => tok.idToToken(i)),
    ['<|im_start|>', 'hello', '<|im_end|>'],
  );
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'hello');
  assert.equal(tok.eosTokenId, tok.tokenToId('<|im_end|>'));
});

test('the Qwen2.5 chat template inserts the default system prompt', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, { ...f.tokenizerConfig, chat_template: QWEN25_TEMPLATE });
  assert.equal(
    tok.applyChatTemplate([{ role: 'user', content: "What's the WEATHER like in Hangzhou?" }]),
    "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat's the WEATHER like in Hangzhou?<|im_end|>\n<|im_start|>assistant\n",
  );
});

test('the Qwen2.5 chat template keeps a given system prompt and assistant turns', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, { ...f.tokenizerConfig, chat_template: QWEN25_TEMPLATE });
  const text = tok.applyChatTemplate(
    [
      { role: 'system', content: 'Think step by step.' },
      { role: 'user', content: '2+2?' },
      { role: 'assistant', content: '<think>2+2=4</think><answer>4</answer>' },
    ],
    { addGenerationPrompt: false },
  );
  assert.equal(
    text,
    '<|im_start|>system\nThink step by step.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n<think>2+2=4</think><answer>4</answer><|im_end|>\n',
  );
});

test('the Qwen2.5 chat template renders its tools branch', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, { ...f.tokenizerConfig, chat_template: QWEN25_TEMPLATE });
  const text = tok.applyChatTemplate([{ role: 'user', content: 'hi' }], {
    variables: { tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }] },
  });
  assert.ok(
    text.startsWith(
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n',
    ),
  );
  assert.match(text, /"name": "get_weather"/);
  assert.ok(text.endsWith('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n'));
});

test('the SmolLM2 chat template inserts its default system prompt', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, { ...f.tokenizerConfig, chat_template: SMOLLM2_TEMPLATE });
  assert.equal(
    tok.applyChatTemplate([{ role: 'user', content: 'Who are you?' }]),
    '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nWho are you?<|im_end|>\n<|im_start|>assistant\n',
  );
});

test('a tokenizer without a chat template reports it by code', () => {
  const f = byteLevelTokenizer();
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  assert.throws(
    () => tok.applyChatTemplate([{ role: 'user', content: 'x' }]),
    (e: ModelError) => e.code === BAD_TEMPLATE,
  );
});

test('a template that does not parse is reported by code', () => {
  const { files } = charTok();
  const tok = new HfTokenizer(files.tokenizer, {
    ...files.tokenizerConfig,
    chat_template: '{% for m in messages %}',
  });
  assert.throws(
    () => tok.applyChatTemplate([{ role: 'user', content: 'x' }]),
    (e: ModelError) => e.code === BAD_TEMPLATE,
  );
});

test('an eos_token missing from the vocabulary is rejected naming the field', () => {
  const f = byteLevelTokenizer();
  assert.throws(
    () => new HfTokenizer(f.tokenizer, { ...f.tokenizerConfig, eos_token: { content: '</s>' } }),
    (e: ModelError) => e.code === BAD_TOKENIZER && e.field === 'tokenizer_config.json:eos_token',
  );
});

test('decoding an id outside the vocabulary is rejected', () => {
  const { tok } = charTok();
  assert.throws(
    () => tok.decode([1, 99999]),
    (e: ModelError) => e.field === 'ids[1]',
  );
});

test('a folder with chat_template.jinja uses it over tokenizer_config.json', async (t) => {
  const dir = await tmpDir(t);
  const { files } = charTok();
  await fs.writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  await fs.writeFile(
    path.join(dir, 'chat_template.jinja'),
    '{% for m in messages %}[{{ m.content }}]{% endfor %}',
  );
  const tok = await HfTokenizer.fromFolder(dir);
  assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'a' }]), '[a]');
});

test('a SmolLM2-layout tokenizer splits digits one by one and adds the GPT-2 space prefix symbol', () => {
  const f = byteLevelTokenizer('smollm2');
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  const ids = tok.encode('hello 2024');
  assert.deepEqual(
    ids.map((i) => tok.idToToken(i)),
    ['hello', 'Ġ', '2', '0', '2', '4'],
  );
  // Individual digits: the "1 2" merge never applies.
  assert.deepEqual(
    tok.encode('123').map((i) => tok.idToToken(i)),
    ['1', '2', '3'],
  );
  assert.equal(tok.decode(ids), 'hello 2024');
});

test('a Llama-3-layout tokenizer groups digits by three and prepends BOS only with addSpecialTokens', () => {
  const f = byteLevelTokenizer('llama3');
  const tok = new HfTokenizer(f.tokenizer, f.tokenizerConfig);
  const bos = tok.tokenToId('<|begin_of_text|>');
  assert.equal(tok.bosTokenId, bos);
  const plain = tok.encode('12345 the');
  // "12345" splits as "123" + "45"; the merges "1 2", "12 3" then join the first group.
  assert.deepEqual(
    plain.map((i) => tok.idToToken(i)),
    ['123', '4', '5', 'Ġthe'],
  );
  assert.deepEqual(tok.encode('12345 the', { addSpecialTokens: true }), [bos, ...plain]);
  assert.equal(tok.decode(plain), '12345 the');
});

test('a chat_template given as a list of named templates uses the default one', () => {
  const { files } = charTok();
  const tok = new HfTokenizer(files.tokenizer, {
    ...files.tokenizerConfig,
    chat_template: [
      { name: 'tool_use', template: 'TOOLS' },
      { name: 'default', template: '{% for m in messages %}<{{ m.role }}>{% endfor %}' },
    ],
  });
  assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'x' }]), '<user>');
});

test('encodeChat renders and encodes in one call', () => {
  const { tok } = charTok();
  const ids = tok.encodeChat([{ role: 'user', content: 'hi' }]);
  assert.equal(tok.decode(ids), '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(ids[0], 1);
});
