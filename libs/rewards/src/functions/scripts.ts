/**
 * Unicode scripts and word counting for the language-consistency reward. Words are counted per script;
 * words that belong to no language (numbers, variables, math, code identifiers) are counted as neutral.
 */

export const SCRIPTS = [
  'Latin',
  'Han',
  'Kana',
  'Hangul',
  'Cyrillic',
  'Greek',
  'Arabic',
  'Hebrew',
  'Devanagari',
  'Thai',
  'Other',
] as const;
export type Script = (typeof SCRIPTS)[number];

/** Words per script, plus the neutral words that count for no language. */
export type ScriptCounts = Record<Script, number> & { neutral: number };

export function emptyCounts(): ScriptCounts {
  return {
    Latin: 0,
    Han: 0,
    Kana: 0,
    Hangul: 0,
    Cyrillic: 0,
    Greek: 0,
    Arabic: 0,
    Hebrew: 0,
    Devanagari: 0,
    Thai: 0,
    Other: 0,
    neutral: 0,
  };
}

/** The script of a letter's code point (ranges of the Unicode blocks; anything else is `Other`). */
export function scriptOf(cp: number): Script {
  if (cp < 0x250) return 'Latin';
  if (cp < 0x370) return cp >= 0x300 ? 'Other' : 'Latin';
  if (cp < 0x400) return 'Greek';
  if (cp < 0x530) return 'Cyrillic';
  if (cp >= 0x590 && cp < 0x600) return 'Hebrew';
  if ((cp >= 0x600 && cp < 0x700) || (cp >= 0x750 && cp < 0x780) || (cp >= 0xfb50 && cp < 0xfe00))
    return 'Arabic';
  if (cp >= 0xfe70 && cp < 0xff00) return 'Arabic';
  if (cp >= 0x900 && cp < 0x980) return 'Devanagari';
  if (cp >= 0xe00 && cp < 0xe80) return 'Thai';
  if (cp >= 0x1100 && cp < 0x1200) return 'Hangul';
  if (cp >= 0x1e00 && cp < 0x1f00) return 'Latin';
  if (cp >= 0x1f00 && cp < 0x2000) return 'Greek';
  if (cp >= 0x3040 && cp < 0x3100) return 'Kana';
  if (cp >= 0x3130 && cp < 0x3190) return 'Hangul';
  if (cp >= 0x31f0 && cp < 0x3200) return 'Kana';
  if ((cp >= 0x3400 && cp < 0x4dc0) || (cp >= 0x4e00 && cp < 0xa000) || (cp >= 0xf900 && cp < 0xfb00))
    return 'Han';
  if (cp >= 0xac00 && cp < 0xd7b0) return 'Hangul';
  if (cp >= 0xff21 && cp < 0xff5b) return 'Latin';
  if (cp >= 0xff66 && cp < 0xff9e) return 'Kana';
  if (cp >= 0x20000 && cp < 0x32000) return 'Han';
  return 'Other';
}

// Math, code and markup that count for no language (DeepSeek-R1's language reward is about prose). Blocks
// left open (a truncated completion) run to the end, which also keeps every pattern linear in the text.
const CODE = /```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]+`/g;
const MATH =
  /\$\$[\s\S]*?(?:\$\$|$)|\\\[[\s\S]*?(?:\\\]|$)|\\\([\s\S]*?(?:\\\)|$)|\$(?:[^$\n\\]|\\.){1,400}?\$/g;
const LATEX_CMD = /\\[a-zA-Z]+/g;
const MARKUP = /<\/?[a-zA-Z][\w-]*\s*\/?>|\bhttps?:\/\/\S+/g;

/** Removes code blocks and spans, LaTeX math and commands, tags and URLs. */
export function stripNonProse(text: string): string {
  let t = text;
  if (t.includes('`') || t.includes('~~~')) t = t.replace(CODE, ' ');
  if (t.includes('\\') || t.includes('$')) {
    t = t.replace(MATH, ' ').replace(LATEX_CMD, ' ');
  }
  if (t.includes('<') || t.includes('http')) t = t.replace(MARKUP, ' ');
  return t;
}

/** Runs of letters, marks, digits and connectors: candidate words, split further below (reference scanner). */
const CHUNK = /[\p{L}\p{M}\p{N}_'’]+/gu;
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\u3005\p{sc=Thai}]/u;
/** Splits a chunk into unspaced-script runs (segmented into words) and other runs. */
const SUBRUN =
  /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\u3005]+)|(\p{sc=Thai}+)|([^\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\u3005\p{sc=Thai}]+)/gu;
const HAS_DIGIT_OR_UNDERSCORE = /[\p{N}_]/u;
const KANA = /[\p{sc=Hiragana}\p{sc=Katakana}\u30fc]/u;
const HAN = /[\p{sc=Han}\u3005]/u;
const HANGUL = /[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]/;
const CAMEL = /\p{Ll}\p{Lu}/u;
const ALL_CAPS = /^\p{Lu}+$/u;

/**
 * Function names and units written in plain letters inside math prose (`sin x`, `gcd(a, b)`, `5 cm`): not
 * words of a language. Compared lowercased.
 */
const MATH_WORDS = new Set(
  (
    'sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp lim max min sup inf gcd lcm mod ' +
    'det sqrt deg dx dy dt rad cm mm km kg mg ml kb mb gb hz kw kwh mph kmh'
  ).split(' '),
);

// ICU's dictionary-based word break iterator (full ICU ships with Node 20) segments Chinese and Japanese
// into words, not characters; one instance per locale is reused.
const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

/** A run of an unspaced script, left for {@link segmentRuns}. */
export interface UnspacedRun {
  text: string;
  thai: boolean;
  hasHan: boolean;
  hasKana: boolean;
}

/**
 * First pass: counts the words of spaced scripts in `into` and returns the runs of unspaced scripts
 * (Han, kana, Thai) unsegmented, so callers can skip segmentation when it cannot change their result.
 * A single scan over char codes; {@link scanWordsReference} is the regex definition it is tested against.
 */
export function scanWords(text: string, into: ScriptCounts = emptyCounts()): UnspacedRun[] {
  const runs: UnspacedRun[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) cp = text.codePointAt(i) as number;
    const kind = kindOf(cp);
    if (kind === SEP) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    if (kind === WORD) {
      let ascii = true;
      while (i < n) {
        let c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) c = text.codePointAt(i) as number;
        if (kindOf(c) !== WORD) break;
        if (c > 0x7f) ascii = false;
        i += c > 0xffff ? 2 : 1;
      }
      const w = text.slice(start, i);
      if (ascii) countAsciiWord(w, into);
      else countPlainWord(w, into);
      continue;
    }
    let hasHan = false;
    let hasKana = false;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) c = text.codePointAt(i) as number;
      if (kindOf(c) !== kind) break;
      if (kind === UNSPACED_CJK) {
        if (isKana(c)) hasKana = true;
        else hasHan = true;
      }
      i += c > 0xffff ? 2 : 1;
    }
    runs.push({ text: text.slice(start, i), thai: kind === UNSPACED_THAI, hasHan, hasKana });
  }
  return runs;
}

/** The regex definition of {@link scanWords}: the reference the fast scanner is tested against. */
export function scanWordsReference(text: string, into: ScriptCounts = emptyCounts()): UnspacedRun[] {
  const runs: UnspacedRun[] = [];
  for (const m of text.matchAll(CHUNK)) {
    const chunk = m[0];
    if (!UNSPACED.test(chunk)) {
      countPlainWord(chunk, into);
      continue;
    }
    for (const r of chunk.matchAll(SUBRUN)) {
      if (r[3] !== undefined) countPlainWord(r[3], into);
      else if (r[2] !== undefined) runs.push({ text: r[2], thai: true, hasHan: false, hasKana: false });
      else {
        const hasKana = KANA.test(r[0]);
        runs.push({ text: r[0], thai: false, hasHan: HAN.test(r[0]), hasKana });
      }
    }
  }
  return runs;
}

const SEP = 0;
const WORD = 1;
const UNSPACED_CJK = 2;
const UNSPACED_THAI = 3;
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
/** Kinds of BMP code points outside the ranges below, looked up once with {@link WORD_CHAR}: 0 unknown. */
const bmpKind = new Uint8Array(0x10000);

function isKana(cp: number): boolean {
  return (
    (cp >= 0x3041 && cp <= 0x30ff && cp !== 0x30fb) ||
    (cp >= 0x31f0 && cp <= 0x31ff) ||
    (cp >= 0xff66 && cp <= 0xff9f)
  );
}

function kindOf(cp: number): number {
  if (cp < 0x80) {
    // 0-9, A-Z, _, a-z, '
    if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return WORD;
    return cp === 0x5f || cp === 0x27 ? WORD : SEP;
  }
  if (cp === 0x2019) return WORD;
  if (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x3041 && cp <= 0x30ff && cp !== 0x30fb && cp !== 0x30a0) ||
    cp === 0x3005 ||
    cp === 0x3007 ||
    (cp >= 0x31f0 && cp <= 0x31ff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xff66 && cp <= 0xff9f) ||
    (cp >= 0x20000 && cp <= 0x323af)
  ) {
    return UNSPACED_CJK;
  }
  if ((cp >= 0x0e01 && cp <= 0x0e3a) || (cp >= 0x0e40 && cp <= 0x0e5b)) return UNSPACED_THAI;
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp)) ? WORD : SEP;
  let k = bmpKind[cp] as number;
  if (k === 0) {
    k = WORD_CHAR.test(String.fromCharCode(cp)) ? WORD + 1 : SEP + 1;
    bmpKind[cp] = k;
  }
  return k - 1;
}

/** {@link countPlainWord} for a word of ASCII letters, digits, `_` and `'`, without regexes. */
function countAsciiWord(raw: string, into: ScriptCounts): void {
  let a = 0;
  let b = raw.length;
  while (a < b && raw.charCodeAt(a) === 0x27) a++;
  while (b > a && raw.charCodeAt(b - 1) === 0x27) b--;
  if (a === b) return;
  if (b - a === 1) {
    into.neutral++;
    return;
  }
  let upper = 0;
  let prevLower = false;
  for (let k = a; k < b; k++) {
    const c = raw.charCodeAt(k);
    if ((c >= 0x30 && c <= 0x39) || c === 0x5f) {
      into.neutral++;
      return;
    }
    const isUpper = c >= 0x41 && c <= 0x5a;
    if (isUpper) {
      if (prevLower) {
        into.neutral++; // camelCase identifier
        return;
      }
      upper++;
    }
    prevLower = c >= 0x61 && c <= 0x7a;
  }
  if (upper === b - a || MATH_WORDS.has(raw.slice(a, b).toLowerCase())) {
    into.neutral++;
    return;
  }
  into.Latin++;
}

/**
 * Second pass: segments unspaced runs into words with ICU (`locale` picks the dictionary: `ja` for
 * Japanese, else `zh`) and counts them; a word with any kana is Japanese (`Kana`), else `Han`.
 */
export function segmentRuns(runs: readonly UnspacedRun[], locale: string, into: ScriptCounts): ScriptCounts {
  for (const r of runs) {
    for (const seg of segmenter(r.thai ? 'th' : locale).segment(r.text)) {
      if (!seg.isWordLike) continue;
      if (r.thai) into.Thai++;
      else if (r.hasKana && KANA.test(seg.segment)) into.Kana++;
      else into.Han++;
    }
  }
  return into;
}

/**
 * Counts the words of `text` per script. Han/kana and Thai runs are segmented with `Intl.Segmenter`
 * (`locale` picks the dictionary: `ja` for Japanese, else `zh`); other words are runs of letters. Neutral:
 * words with a digit or `_` (numbers, `x_1`, `3x`), single letters (variables), camelCase identifiers,
 * all-capital words (point names such as `ABC`, acronyms) and math function names. Call
 * {@link stripNonProse} first to drop code and math.
 */
export function countWords(text: string, locale = 'zh', into: ScriptCounts = emptyCounts()): ScriptCounts {
  return segmentRuns(scanWords(text, into), locale, into);
}

function countPlainWord(raw: string, into: ScriptCounts): void {
  let w = raw;
  // Quotes around a word are punctuation; inside (`don't`) they are part of it.
  while (w.length > 0 && (w[0] === "'" || w[0] === '’')) w = w.slice(1);
  while (w.length > 0 && (w.endsWith("'") || w.endsWith('’'))) w = w.slice(0, -1);
  if (w.length === 0) return;
  const cp = w.codePointAt(0) as number;
  const letters = w.length - (cp > 0xffff ? 1 : 0);
  if (HAS_DIGIT_OR_UNDERSCORE.test(w) || letters <= 1) {
    into.neutral++;
    return;
  }
  // Korean attaches particles to variables and loanwords (`x는`, `Python은`): the Hangul decides.
  const script = HANGUL.test(w) ? 'Hangul' : scriptOf(cp);
  if (script === 'Latin' || script === 'Greek' || script === 'Cyrillic') {
    if (CAMEL.test(w) || ALL_CAPS.test(w) || MATH_WORDS.has(w.toLowerCase())) {
      into.neutral++;
      return;
    }
  }
  into[script]++;
}
