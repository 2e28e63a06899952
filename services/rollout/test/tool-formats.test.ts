import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCharTokenizer, CHATML_TEMPLATE, HfTokenizer } from '@grpo/model';
import { QWEN25_TEMPLATE, SMOLLM2_TEMPLATE } from '../../../libs/model/test/chat-templates.js';
import { createFormatter, formatToolResult, toolInsertText } from '../src/tools/index.js';

const TEMPLATES = { chatml: CHATML_TEMPLATE, qwen25: QWEN25_TEMPLATE, smollm2: SMOLLM2_TEMPLATE };
const files = buildCharTokenizer();
const tokenizer = (tpl: string) => new HfTokenizer(files.tokenizer, files.tokenizerConfig, tpl);

for (const [name, tpl] of Object.entries(TEMPLATES)) {
  test(`${name}: the rendered tool message equals the tail of the full-conversation render`, () => {
    const tok = tokenizer(tpl);
    const call =
      '<tool_call>\n{"name": "javascript", "arguments": {"code": "console.log(2**10)"}}\n</tool_call>';
    for (const history of [
      [{ role: 'user', content: 'What is 2^10?' }],
      [
        { role: 'system', content: 'Use the tool.' },
        { role: 'user', content: 'Compute it' },
      ],
    ]) {
      const before = [...history, { role: 'assistant', content: call }];
      const rendered = tok.applyChatTemplate(before, { addGenerationPrompt: false });
      // What the model sampled: everything up to its EOS token (the template's text after it is not sampled).
      const sampled = rendered.slice(0, rendered.lastIndexOf(call) + call.length) + tok.eosToken;
      const full = tok.applyChatTemplate([...before, { role: 'tool', content: '1024' }], {
        addGenerationPrompt: true,
      });
      const insert = toolInsertText(tok, '1024');
      assert.equal(sampled + insert, full);
      // Token level: the conversation's ids + the tokenized insert are the full render's ids.
      assert.deepEqual([...tok.encode(sampled), ...tok.encode(insert)], tok.encode(full));
    }
  });
}

test('markdown, retool and hermes find a complete call at the end of the turn, and only then', () => {
  const tok = tokenizer(CHATML_TEMPLATE);
  const md = createFormatter('markdown', ['javascript'], tok);
  assert.equal(md.detect('x ```javascript\nconsole.log(1)\n', false), null);
  assert.deepEqual(md.detect('x ```javascript\nconsole.log(1)\n```', false), {
    tool: 'javascript',
    code: 'console.log(1)',
  });
  assert.deepEqual(md.detect('```js\na\nb\n```', false), { tool: 'javascript', code: 'a\nb' });
  assert.equal(md.detect('```python\nprint(1)\n```', false), null); // python is not enabled here
  assert.equal(md.render('42'), '\n```output\n42\n```\n');
  const rt = createFormatter('retool', ['javascript'], tok);
  assert.equal(rt.detect('<code>console.log(1)', false), null);
  assert.deepEqual(rt.detect('a <code>```javascript\nconsole.log(1)\n```</code>', false), {
    tool: 'javascript',
    code: 'console.log(1)',
  });
  assert.equal(rt.detect('<code>```python\nprint(1)\n```</code>', false)!.tool, null);
  assert.equal(rt.render('42'), '<interpreter>\n42\n</interpreter>\n');
  const he = createFormatter('hermes', ['javascript'], tok);
  const text = '<tool_call>{"name": "javascript", "arguments": {"code": "console.log(3)"}}</tool_call>';
  assert.equal(he.detect(text, false), null); // the turn must end first
  assert.deepEqual(he.detect(text, true), { tool: 'javascript', code: 'console.log(3)' });
  assert.equal(he.detect('<tool_call>{nope</tool_call>', true)!.tool, null);
  assert.equal(he.render('3'), '\n<|im_start|>tool\n3<|im_end|>\n<|im_start|>assistant\n');
});

test('tool output is cut to maxOutputChars and errors keep their last line', () => {
  const limits = { maxOutputChars: 40, timeoutMs: 100, memoryLimitMb: 16 };
  const ok = formatToolResult({ status: 'ok', stdout: 'y'.repeat(100), stderr: '', wallMs: 1 }, limits);
  assert.equal(ok.truncated, true);
  assert.ok(ok.text.length <= 40);
  assert.ok(ok.text.endsWith('...[truncated]'));
  const err = formatToolResult(
    {
      status: 'error',
      stdout: 'partial\n',
      stderr: '',
      error: { name: 'Error', message: 'line one\nline two\nboom' },
      wallMs: 1,
    },
    limits,
  );
  assert.equal(err.status, 'error');
  assert.equal(err.text, 'partial\nboom');
  const to = formatToolResult({ status: 'timeout', stdout: '', stderr: '', wallMs: 100 }, limits);
  assert.deepEqual(to, {
    text: 'TimeoutError: the code ran past 100 ms',
    truncated: false,
    status: 'timeout',
  });
});
