/**
 * Phrases that introduce the final answer ("the answer is", "答案是", "Ответ:", "الإجابة هي",
 * "उत्तर", "정답은", ...) and the text they introduce. One combined regex of literal
 * alternatives, scanned once over the completion (no nested quantifiers: linear).
 */

/** After a non-English word the connector may be left out when a number or math follows. */
const AHEAD = String.raw`(?=\s*(?:\*\*)?\s*(?:[-−\d$]|\\[([]))`;

/**
 * [words, connectors]. The first group is the historic one (its connectors are shared by its
 * languages); the others add languages, each with its own connectors.
 */
const GROUPS: [words: string, connectors: string][] = [
  [
    String.raw`\banswer|答案|结果|結果|答え|ответ|\bantwort|\brespuesta|\bréponse|\bresposta|\brisposta|\bjawaban`,
    String.raw`(?:would be|should be|will be|is thus|is therefore|ist|is|was|est|es|é|è|lautet)(?![a-z])|是|为|為|は|:|：|=|равен|(?=\$|\\\(|\\\[)`,
  ],
  [
    String.raw`答案|答え|ответ|\bantwort|\brespuesta|\bréponse|\bresposta|\brisposta|\bjawaban`,
    `应为|等于|adalah|ialah|${AHEAD}`,
  ],
  // "答：" (Chinese school solutions), Korean 정답/답, Japanese 解答.
  [String.raw`答(?=\s*[:：])|解答`, `は|:|：|${AHEAD}`],
  [String.raw`정답|(?<![\uac00-\ud7af])답(?=\s*[은는:：=])`, `은|는|이|:|：|=|${AHEAD}`],
  [`الإجابة|الاجابة|الجواب|الناتج|النتيجة`, `هي|هو|:|=|${AHEAD}`],
  [`उत्तर|জবাব|উত্তর`, `है|:|=|${AHEAD}`],
  [
    String.raw`(?<!\p{L})(?:відповідь|odpowiedź|odpověď|răspunsul|răspuns|đáp án|đáp số|jawapan)`,
    `je|to|là|este|:|=|${AHEAD}`,
  ],
  [
    String.raw`\b(?:cevap|antwoord|svaret|svar|vastaus|jibu)|απάντηση|คำตอบ|پاسخ|התשובה|תשובה`,
    `is|är|er|on|ni|είναι|คือ|היא|:|=|${AHEAD}`,
  ],
];

const PHRASE = new RegExp(
  GROUPS.map(([w, c]) => String.raw`(?:${w})\s*(?:\*\*)?\s*(?:${c})\s*(?:[:：]\s*)?(?:\*\*)?\s*`).join('|'),
  'giu',
);

/** A math block at the sticky position, after an optional comma or conjunction (group 1). */
const MATH_AT =
  /\s*((?:[,;，、]|\s(?:and|or|или|и|et|ou|und|oder|y|o)\s|或者|或|和|以及)?)\s*(?:\$\$([^$]+)\$\$|\$((?:\\\$|[^$])+)\$|\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\])/y;

/**
 * Text after the last answer phrase up to the end of its sentence (a math block right after it
 * whole). `parts`: the math blocks joined to that block by commas or and/or (`is $1$ and $2$`),
 * which verify.ts tries against a gold list; `joined` when a conjunction joined them.
 */
export function afterPhrase(text: string): { s: string; parts?: string[]; joined?: boolean } | null {
  let last: RegExpExecArray | null = null;
  PHRASE.lastIndex = 0;
  for (let m = PHRASE.exec(text); m; m = PHRASE.exec(text)) {
    if (m[0].length === 0) {
      PHRASE.lastIndex++;
      continue;
    }
    last = m;
  }
  if (!last) return null;
  // `$\text{The answer is } 5$`: the phrase sat in a `\text{}` of a math block.
  let rest = text.slice(last.index + last[0].length, last.index + last[0].length + 2000);
  if (/^\s*\}/.test(rest)) rest = rest.replace(/^\s*\}\s*/, '').replace(/^([^$\n]*)\$/, '$1');
  // A math block right after the phrase is the answer; blocks joined by and/or or commas
  // are one list: `is $1$ and $2$`, `是 $x=3$ 或 $x=5$`.
  const blocks: string[] = [];
  let conjunction = false;
  for (let at = 0; blocks.length < 20; ) {
    MATH_AT.lastIndex = at;
    const m = MATH_AT.exec(rest);
    if (!m || (blocks.length === 0 && m[1])) break;
    conjunction ||= /[^\s,;，、]/.test(m[1] ?? '');
    blocks.push((m[2] ?? m[3] ?? m[4] ?? m[5])!.trim());
    at = m.index + m[0].length;
  }
  if (blocks.length > 1) return { s: blocks[0]!, parts: blocks, joined: conjunction };
  if (blocks.length) return { s: blocks[0]! };
  const line = rest.split(/\n/)[0]!;
  // End at a sentence end (a period not inside a number; 。 । ۔).
  const end = /\.(?!\d)\s|\.$|[。।۔]/.exec(line);
  // Quotes around the answer are not part of it: `is "$12$ and $13$".`
  const s = (end ? line.slice(0, end.index) : line)
    .trim()
    .replace(/^["“'](.*)["”']$/u, '$1')
    .trim();
  return s.length ? { s } : null;
}
