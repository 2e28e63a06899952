/**
 * Lengths of text in the units the length and repetition rewards offer. Items carry text, not token ids,
 * so these stand in for token counts.
 */

/** Length in Unicode code points (what Python's `len(str)` returns, so open-r1's char lengths match). */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Han ideographs, kana and Thai: scripts written without spaces between words,
 * where each character counts as one word (close to one token in common BPE vocabularies).
 */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\p{sc=Thai}]/u;
const WORDS_CJK =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\p{sc=Thai}]|[^\s\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc\p{sc=Thai}]+/gu;
const SPACE_RUN = /\S+/g;

/**
 * Whitespace-separated words, where every character of an unspaced script (Han, kana, Thai) is a word of
 * its own. With `cjk` false, plain whitespace splitting (as Python's `str.split()`, which open-r1 uses).
 */
export function splitWords(text: string, cjk = true): string[] {
  if (cjk && UNSPACED.test(text)) return text.match(WORDS_CJK) ?? [];
  return text.match(SPACE_RUN) ?? [];
}

/** Number of words as {@link splitWords} counts them, without building the array for plain text. */
export function wordCount(text: string): number {
  if (UNSPACED.test(text)) return (text.match(WORDS_CJK) ?? []).length;
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isJsSpace(c)) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

/** The characters of JavaScript's `\s`. */
function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
