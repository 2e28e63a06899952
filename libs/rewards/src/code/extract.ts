/** Where the program was found in the completion. */
export type CodeSource = 'tagged_block' | 'last_block' | 'whole_answer';

export interface ExtractedCode {
  code: string;
  /** Language named by the fence tag (`ts`, `typescript` → typescript), or null when untagged. */
  tagLanguage: 'javascript' | 'typescript' | 'python' | null;
  source: CodeSource;
}

const JS_TAGS = new Set(['js', 'javascript', 'jsx', 'mjs', 'cjs', 'node', 'nodejs']);
const TS_TAGS = new Set(['ts', 'typescript', 'mts', 'cts']);
const PY_TAGS = new Set(['python', 'py', 'python3', 'py3']);
// A fence opens with three or more backticks or tildes and closes with the same run; an
// unclosed last fence (a completion cut at max tokens) runs to the end of the text.
const FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm;

/**
 * The answer part of a completion: what follows the last `</think>` (DeepSeek-R1's template
 * puts reasoning first), and inside `<answer>…</answer>` when present.
 */
export function answerPart(completion: string): string {
  let text = completion;
  const think = text.lastIndexOf('</think>');
  if (think !== -1) text = text.slice(think + '</think>'.length);
  const m = /<answer>([\s\S]*?)(?:<\/answer>|$)/.exec(text);
  if (m) text = m[1] as string;
  return text;
}

/**
 * Extracts the program from a completion: the last fenced block tagged with a JS/TS/Python language,
 * else the last fenced block, else the whole answer. Returns null when nothing is left.
 */
export function extractCode(completion: string): ExtractedCode | null {
  const text = answerPart(completion);
  const blocks: { tag: string; body: string }[] = [];
  for (const m of text.matchAll(FENCE)) {
    blocks.push({ tag: (m[2] ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '', body: m[3] ?? '' });
  }
  const lang = (tag: string) =>
    TS_TAGS.has(tag) ? 'typescript' : JS_TAGS.has(tag) ? 'javascript' : PY_TAGS.has(tag) ? 'python' : null;
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i] as { tag: string; body: string };
    if (lang(b.tag) && b.body.trim())
      return { code: b.body, tagLanguage: lang(b.tag), source: 'tagged_block' };
  }
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i] as { tag: string; body: string };
    if (b.body.trim()) return { code: b.body, tagLanguage: null, source: 'last_block' };
  }
  if (blocks.length > 0) return null;
  const whole = text.trim();
  return whole ? { code: whole, tagLanguage: null, source: 'whole_answer' } : null;
}
