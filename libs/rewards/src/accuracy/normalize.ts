/**
 * String normalization of an extracted answer before parsing: what the Hendrycks MATH
 * `strip_string` / `is_equiv` (Hendrycks et al. 2021, "Measuring Mathematical Problem
 * Solving With the MATH Dataset") and Minerva (Lewkowycz et al. 2022, appendix D.1)
 * normalizers do, plus Unicode and multilingual forms seen in model outputs. Every step is a
 * linear-time regex or scan; the input is already capped by `maxAnswerChars`.
 */

export interface Normalized {
  /** LaTeX/plain math ready for the parser, or the lowercased words of a text answer. */
  text: string;
  /** True when the answer is words (e.g. `\text{Monday}`, `yes`), compared as text. */
  isText: boolean;
  /** True when "and"/"or" (any language, also `\text{ and }`) joined answers: an unordered list. */
  joined?: boolean;
}

const UNICODE: [RegExp, string][] = [
  [/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, '-'],
  [/[\u00D7\u2715\u2716]/g, '\\times '],
  [/[\u00B7\u22C5\u2219]/g, '\\cdot '],
  [/\u00F7/g, '/'],
  [/\u2248/g, '\\approx '],
  [/\u060C/g, ','],
  // Currency signs (the dollar is handled with `\$`).
  [/[\u20AC\u00A3\u00A5\uFFE5\u20B9\u20BD\u20A9\u20BA\u20AB\u20AA\u0E3F]/g, ' '],
  [/\u03C0/g, '\\pi '],
  [/\u221E/g, '\\infty '],
  [/\u221A/g, '\\sqrt'],
  [/\u2264|\u2A7D/g, '\\le '],
  [/\u2265|\u2A7E/g, '\\ge '],
  [/\u2260/g, '\\ne '],
  [/\u222A/g, '\\cup '],
  [/\u2208/g, '\\in '],
  [/\u2205/g, '\\emptyset '],
  [/\u00B1/g, '\\pm '],
  [/\u00B2/g, '^2'],
  [/\u00B3/g, '^3'],
  [/\u00BD/g, '(1/2)'],
  [/\u00BC/g, '(1/4)'],
  [/\u00BE/g, '(3/4)'],
  [/\u2103/g, ''],
  [/\uFF0C|\u3001/g, ','],
  [/\uFF1A/g, ':'],
  [/\uFF08/g, '('],
  [/\uFF09/g, ')'],
  [/\u3002/g, '.'],
  [/[\u00A0\u2009\u202F\u3000]/g, ' '],
];

/** Function names and constants that must not be taken for trailing unit words. */
const MATH_WORDS = new Set([
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'ln',
  'log',
  'exp',
  'sqrt',
  'pi',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'abs',
  'inf',
]);

const NUMBER_WORDS = new Map(
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
    .split(' ')
    .map((w, i) => [w, i] as [string, number]),
);

/** `0.1\overline{6}` (also `\dot{}`-free forms) → the exact fraction 1/6, written `(n/d)`. */
function repeatingDecimal(s: string): string {
  return s.replace(
    /(-?)(\d*)\.(\d*)\\overline\s*\{(\d{1,12})\}/g,
    (_m, sign: string, int: string, fixed: string, rep: string) => {
      const whole = BigInt(`${int || '0'}${fixed}${rep}`) - BigInt(`${int || '0'}${fixed}`);
      const den = 10n ** BigInt(fixed.length) * (10n ** BigInt(rep.length) - 1n);
      return `(${sign}${whole}/${den})`;
    },
  );
}

/** Placeholder for the LaTeX row break `\\\\` while spacing commands are removed. */
const ROW = '\u0000';

/** Arabic-Indic, Persian, Devanagari, Bengali, Thai and full-width digits, the Arabic decimal point and thousands sign. */
const OTHER_DIGITS =
  /[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF\u0E50-\u0E59\uFF10-\uFF19\u066B\u066C]/g;
const DIGIT_BASES = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0xff10];

/** `٤٥` → `45`, `２４００` → `2400`, `٣٫٥` → `3.5`: digits of other scripts as ASCII, same length. */
export function asciiDigits(s: string): string {
  if (!/[\u0660-\u06F9\u0966-\u096F\u09E6-\u09EF\u0E50-\u0E59\uFF10-\uFF19]/.test(s)) return s;
  return s.replace(OTHER_DIGITS, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x066b) return '.';
    if (code === 0x066c) return ',';
    const base = DIGIT_BASES.find((b) => code >= b && code <= b + 9)!;
    return String(code - base);
  });
}

/** Spacing commands: `\quad` and `\qquad` also glued to the next letter (`\quada_{2}`). */
const SPACING = /(?:\\q?quad|\\[,;: ]|~)+/g;
/** A label and its `=` right after a spacing command: `a_{2} =`, `p_2=`, `g(x) =`, `|PQ| =`. */
const LABEL_AHEAD =
  /\s*(?:\\?[a-zA-Z]{1,12}|\|[^|]{1,12}\|)(?:_\{[^{}]{0,12}\}|_[a-zA-Z0-9])?(?:\^\{[^{}]{0,8}\}|\^[a-zA-Z0-9])?(?:\([^()]{0,12}\))?\s*=(?!=)/y;

/**
 * Spacing between two labelled answers separates them: `a_1 = 3 \quad a_2 = 4` → `a_1 = 3, a_2 = 4`
 * (a spacing command after an `=` and before `label =`); other spacing is removed later.
 */
function separateAssignments(s: string): string {
  if (s.indexOf('=') === s.lastIndexOf('=')) return s;
  let out = '';
  let seg = 0;
  SPACING.lastIndex = 0;
  for (let m = SPACING.exec(s); m; m = SPACING.exec(s)) {
    const before = s.slice(seg, m.index);
    LABEL_AHEAD.lastIndex = m.index + m[0].length;
    if (/=/.test(before) && LABEL_AHEAD.test(s)) {
      out += `${before}, `;
      seg = m.index + m[0].length;
    }
  }
  return out + s.slice(seg);
}

const TEXT_CMD =
  /\\(?:text|textbf|textit|textrm|textsf|texttt|textnormal|textup|mbox|mathrm|mathbf|mathit|mathsf|mathtt|rm|bf)\s*\{/g;

/**
 * Replaces `\text{...}` groups (braces matched) by their content, marking unit words; `joined`
 * tells whether a `\text{ and }` / `\text{ or }` joined two answers.
 */
function unwrapText(s: string): { s: string; joined: boolean } {
  let joined = false;
  let out = '';
  let last = 0;
  TEXT_CMD.lastIndex = 0;
  for (let m = TEXT_CMD.exec(s); m; m = TEXT_CMD.exec(s)) {
    let depth = 1;
    let j = m.index + m[0].length;
    for (; j < s.length && depth > 0; j++) {
      if (s[j] === '{') depth++;
      else if (s[j] === '}') depth--;
    }
    const inner = s.slice(m.index + m[0].length, j - 1);
    out += s.slice(last, m.index);
    const before = out.trimEnd();
    const word = inner.trim();
    if (CONJUNCTION_WORD.test(word)) {
      out += ',';
      joined = true;
    } else if (/^[ap]\.?\s*m\.?$/i.test(word))
      out += ` ${word}`; // `08:34 \text{P.M.}` is a clock time
    else if (/[\d})]$/.test(before) && /^[a-zA-Z\s.^/\d-]*$/.test(word) && /[a-zA-Z]/.test(word)) {
      // A unit after a number, with its power: `5\text{ cm}^2`.
      out += ' ';
      const pow = /^\s*\^\s*(?:\{\s*\d\s*\}|\d)/.exec(s.slice(j));
      if (pow) j += pow[0].length;
    } else out += ` ${inner} `;
    last = j;
    TEXT_CMD.lastIndex = j;
  }
  return { s: out + s.slice(last), joined };
}

const CONJUNCTION_WORD = /^(?:or|and|或|或者|和|以及|и|или|oder|ou|o|y|et|und|أو|या|और|또는|または)$/i;

export function normalizeAnswer(raw: string): Normalized {
  // Our map first (NFKC would turn x² into x2 and ½ into 1⁄2), then NFKC for full-width forms.
  let s = raw;
  // Plain ASCII (most answers) needs neither the map nor NFKC.
  const ascii = !/[^\x00-\x7f]/.test(s);
  if (!ascii) for (const [re, rep] of UNICODE) s = s.replace(re, rep);
  // Over-escaped LaTeX from JSON or Python sources (`\\frac`): a row break is never glued to a word.
  if (!ascii) s = s.normalize('NFKC');
  // Over-escaped LaTeX from JSON or Python sources (`\\frac`, rows `\\\\`): a row break is
  // never glued to a word.
  if (/(?<!\\)\\\\[a-zA-Z]/.test(s)) s = s.replace(/\\\\\\\\/g, '\\\\');
  s = s.replace(/(?<!\\)\\\\(?=[a-zA-Z%])/g, '\\');
  s = repeatingDecimal(s.replaceAll('\\\\', ROW));
  s = s
    .replace(/\\\$|\$/g, ' ')
    .replace(/\\[()[\]]/g, ' ')
    .replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)\b/g, '')
    .replace(/\\(?:boxed|fbox|vec|overline|hat|bar|mathbb(?=\{[^R]))\s*(?=\{)/g, '')
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)\s*\./g, '')
    .replace(
      /\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g,
      '',
    )
    .replace(/(\d),\\!\s*(?=\d{3}(?!\d))/g, '$1,');
  s = separateAssignments(s)
    .replace(/\\[!,;:> ]|~|\\q?quad/g, ' ')
    // Degrees stay a postfix `°` (the parser reads radians from it, compare.ts also accepts the bare number).
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ\b|\\degree\b/g, '°')
    .replace(/\\circ\b/g, '')
    .replace(/\\%/g, '%')
    .replace(/\{\s*,\s*\}/g, '')
    // An ellipsis is content, not punctuation: `1, 2, 3, \dots` is not `1, 2, 3`.
    .replace(/\\(?:ldots|cdots|dots)\b|\.\.\.|…/g, ' \\dots ')
    .replace(/\\(?:dfrac|tfrac|cfrac)/g, '\\frac')
    .replace(/\\(?:dbinom|tbinom)/g, '\\binom')
    .replace(/\^\s*\{?\\prime\}?/g, "'");
  const unwrapped = unwrapText(s);
  s = unwrapped.s;
  let joined = unwrapped.joined;
  s = s.replace(/\binfinity\b/gi, '\\infty ');
  const asNumber = NUMBER_WORDS.get(s.trim().toLowerCase());
  if (asNumber !== undefined) s = String(asNumber);
  // "or"/"and" between answers, also in other languages: several answers.
  const conj = () => {
    joined = true;
    return ',';
  };
  s = s.replace(/,?\s(?:or|and|或|和|oder|und|ou|et|или|أو|या|और|또는)\s/gi, conj);
  if (!ascii) s = s.replace(/或者|或|以及|または/g, conj);
  s = s
    // `(11,7)or(7,11)`, `1orW(x)=-1`: a glued "or" between brackets, or before a function value.
    .replace(/(?<=[)\]}])\s*(?:or|and)\s*(?=[([{])|(?<=[\d)}])\s*or\s*(?=[a-zA-Z]\()/gi, conj)
    .replace(/,(?:\s*,)+/g, ',');
  // Percent words: `28 percent`, `4 4/9 pct`.
  s = s.replace(/(?<=[\d})]|\d\s)\s*(?:percentage|percent|pct)\b/gi, '%');
  // Thousands separators: 1,000,000 and 1 000 000 (groups of exactly three digits).
  // Not right after an opening bracket: `(12,102)` is a pair.
  s = s.replace(/(?<![\d.,([{])[1-9]\d{0,2}(?:,\d{3})+(?![\d,]|\.\d*,)/g, (m) => m.replaceAll(',', ''));
  s = s.replace(/(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])/g, (m) => m.replaceAll(' ', ''));
  s = s.trim();
  // Trailing punctuation and trailing CJK unit characters (元, 个, 米 ...).
  for (let k = 0; k < 8; k++) {
    const before = s;
    s = s
      .replace(/[.,;:?。।۔؟]$/u, '')
      // A dangling backslash or row break at the end: `42\`, `42\\`.
      .replace(/(?<!\\)\\$|\u0000$/, '')
      // Markdown bold around the answer: `**45**`.
      .replace(/^\*\*|\*\*$/, '')
      .replace(/^\\approx\s*/, '')
      .replace(/(?<=[\d%)}])\s*[\u3040-\u9fff\uac00-\ud7af]+$/u, '')
      .trim();
    if (s === before) break;
  }
  // Trailing unit words after a number: `18 dollars`, `5 cm^2`, `3 square feet`.
  for (let k = 0; k < 6; k++) {
    const m = (ascii ? ASCII_UNIT_WORDS : UNIT_WORDS).exec(s);
    if (
      !m ||
      m[1]!.split(/\s+/).some((w) => MATH_WORDS.has(w.toLowerCase())) ||
      !/\d/.test(s.slice(0, m.index))
    )
      break;
    s = s.slice(0, m.index).trim();
  }
  // Words of another script before a number: `\boxed{\text{共 } 12 \text{ 个}}` → `12`.
  if (!ascii) s = s.replace(LEADING_FOREIGN, '');
  s = s.replaceAll(ROW, ' \\\\ ');
  const words = s.replace(/[{}]/g, ' ').trim();
  if (/^[\p{L}\p{M}\s'-]+$/u.test(words) && isTextAnswer(words)) {
    return {
      text: words
        .toLowerCase()
        .replace(/^the\s+/, '')
        .replace(/\s+/g, ' '),
      isText: true,
    };
  }
  return joined ? { text: s, isText: false, joined } : { text: s, isText: false };
}

/** A unit word in any script (not Greek: variables): `cm`, `dollars`, `яблок`, `सेब`, `Äpfel`. */
const UNIT_WORD = String.raw`(?:[a-zA-Z]{2,}|(?:(?![\u0370-\u03ff\u2100-\u214f])[^\P{L}a-zA-Z])[\p{L}\p{M}]*)`;
/** Up to three unit words after a number at the end, with a power: `5 cm^2`, `3 square feet`, `38 सेब हैं`. */
const UNIT_WORDS = new RegExp(
  String.raw`(?<=[\d%)}°]|\d\s)\s*(${UNIT_WORD}(?:\s+${UNIT_WORD}){0,2})(?:\s*\^\s*\{?\d\}?)?\.?$`,
  'u',
);

/** A run of letters of another script than Latin and Greek (with spaces, colons, commas) before a number or math. */
const LEADING_FOREIGN = /^(?:[^\P{L}a-zA-Z\u0370-\u03ff\u00c0-\u024f]|\p{M}|[\s:：,，])+(?=-?[\d\\(])/u;

const ASCII_UNIT_WORDS =
  /(?<=[\d%)}°]|\d\s)\s*([a-zA-Z]{2,}(?:\s+[a-zA-Z]{2,}){0,2})(?:\s*\^\s*\{?\d\}?)?\.?$/;

/** Words, not an expression: some word of 3+ letters that is no function name, or any non-Latin letter. */
function isTextAnswer(words: string): boolean {
  if (/[^\s'a-zA-Z-]/.test(words)) return true;
  return words.split(/[\s'-]+/).some((w) => w.length >= 3 && !MATH_WORDS.has(w.toLowerCase()));
}
