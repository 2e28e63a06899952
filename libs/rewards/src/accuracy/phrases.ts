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

/** Text after the last answer phrase up to the end of its sentence (a math block right after it whole). */
export function afterPhrase(text: string): string | null {
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
  const rest = text.slice(last.index + last[0].length, last.index + last[0].length + 2000);
  // A math block right after the phrase is the answer.
  const math = /^\s*(?:\$\$([^$]+)\$\$|\$((?:\\\$|[^$])+)\$|\\\(([\s\S]+?)\\\)|\\\[([\s\S]+?)\\\])/.exec(
    rest,
  );
  if (math) return (math[1] ?? math[2] ?? math[3] ?? math[4])!.trim();
  const line = rest.split(/\n/)[0]!;
  // End at a sentence end (a period not inside a number; 。 । ۔).
  const end = /\.(?!\d)\s|\.$|[。।۔]/.exec(line);
  // Quotes around the answer are not part of it: `is "$12$ and $13$".`
  const s = (end ? line.slice(0, end.index) : line)
    .trim()
    .replace(/^["“'](.*)["”']$/u, '$1')
    .trim();
  return s.length ? s : null;
}
