/**
 * `\boxed{…}` / `\fbox{…}` in a completion or a reference. Braces are matched once for the
 * whole text with a stack, so a text of many unclosed boxes stays linear.
 */

export interface Box {
  /** Index of `\boxed`. */
  start: number;
  /** Index after `\boxed` and its spaces: the `{`, or the token of `\boxed 5`. */
  open: number;
  /** Index of the matching `}`, when the box is braced and closed. */
  end: number | undefined;
  spaced: boolean;
}

/** Every `\boxed`/`\fbox` of the text with its closing brace, in one pass (empty without a box). */
export function findBoxes(text: string): Box[] {
  const boxes: Box[] = [];
  if (!text.includes('\\boxed') && !text.includes('\\fbox')) return boxes;
  const re = /\\(?:boxed|fbox)( *)/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    boxes.push({ start: m.index, open: m.index + m[0].length, end: undefined, spaced: m[1]!.length > 0 });
  if (boxes.length === 0) return boxes;
  const close = new Map<number, number>();
  const stack: number[] = [];
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === '{') stack.push(k);
    else if (c === '}' && stack.length) close.set(stack.pop()!, k);
  }
  for (const b of boxes) if (text[b.open] === '{') b.end = close.get(b.open);
  return boxes;
}

/**
 * Content of the last complete `\boxed{...}` or `\fbox{...}`, or null. Adjacent boxes joined
 * only by commas, spacing, math delimiters or and/or hold one answer list (`\boxed{1}, \boxed{2}`).
 */
export function lastBoxed(text: string): string | null {
  return lastBoxGroup(findBoxes(text), text)?.s ?? null;
}

/** The last box with the adjacent boxes before it (`count` boxes), joined as one answer list. */
function lastBoxGroup(boxes: Box[], text: string): { s: string; count: number } | null {
  for (let i = boxes.length - 1; i >= 0; i--) {
    const { open, end, spaced } = boxes[i]!;
    if (text[open] === '{') {
      if (end === undefined) continue;
      const parts = [text.slice(open + 1, end)];
      let conjunction = false;
      for (let j = i - 1; j >= 0; j--) {
        const prevEnd = boxes[j]!.end;
        // Nested boxes end after the next one starts: not adjacent.
        const between =
          prevEnd === undefined || prevEnd > boxes[j + 1]!.start
            ? null
            : text.slice(prevEnd + 1, boxes[j + 1]!.start);
        // Spacing, math delimiters (`\) and \(`) and stray backslashes of over-escaped text.
        const glue = between?.replace(/\\(?:q?quad|[,;:! ()[\]])|\\text\s*\{\s*(and|or)\s*\}|\\/g, ' $1 ');
        if (glue === undefined || !/^[\s,;$.]*(?:and|or)?[\s,;$]*$/.test(glue)) break;
        // Boxes in separate `$…$` blocks with no comma or conjunction between them are a
        // correction, not a list: `$$\boxed{20}$$ \boxed{143}` → 143.
        if (glue.includes('$') && !/[,;]|\b(?:and|or)\b/.test(glue)) break;
        parts.unshift(text.slice(boxes[j]!.open + 1, prevEnd));
        conjunction ||= /\b(?:and|or)\b/.test(glue);
      }
      // Boxes joined by and/or keep the word: answers joined so are a set (normalize.ts, `joined`).
      return { s: parts.join(conjunction ? ' and ' : ', '), count: parts.length };
    } else if (spaced) {
      // `\boxed 5`: one token after a space.
      const m = /^[^\s$]+/.exec(text.slice(open, open + 200));
      if (m) return { s: m[0], count: 1 };
    }
  }
  return null;
}

/**
 * The last box (as `lastBoxed` reads it) and the contents of every complete top-level box (not
 * nested in another box), in order, with repeated contents kept once:
 * `\boxed{2} for (i) and \boxed{-5} for (ii)` → last `-5`, all `['2', '-5']`. Null without a box.
 */
export function boxedAnswers(boxes: Box[], text: string): { last: string; all: string[] } | null {
  const group = lastBoxGroup(boxes, text);
  return group && { last: group.s, all: topLevel(boxes, text) };
}

/** Contents of the complete boxes not nested in another box, in order, each once. */
function topLevel(boxes: Box[], text: string): string[] {
  const out: string[] = [];
  let until = -1;
  for (const b of boxes) {
    if (b.start < until || b.end === undefined) continue;
    until = b.end;
    const s = text.slice(b.open + 1, b.end).trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/**
 * A reference's boxes: several boxes are several answers. When they all stand together (only
 * commas, spacing or and/or between them) that group is the answer as `lastBoxed` reads it;
 * otherwise every top-level box, in order: `for (i) \boxed{2}; for (ii) \boxed{-5}` → `2, -5`.
 */
export function referenceBoxed(boxes: Box[], text: string): string | null {
  const group = lastBoxGroup(boxes, text);
  if (!group) return null;
  const all = topLevel(boxes, text);
  // A last box that restates the earlier ones (`\boxed{2} … \boxed{-5} … \boxed{2, -5}`) is the answer.
  if (all.length <= group.count || all.every((b) => group.s.includes(b))) return group.s;
  return all.join(', ');
}

/**
 * The rest of the text after an unclosed `\boxed{` when no box is complete, up to `maxChars`:
 * a reference cut short (`\boxed{W(n) = 1 \text{ and } W(n) = -1`). A prediction's box counts
 * only when it was closed by an escaped brace or a backslash at the very end (`\boxed{42\}`,
 * `\boxed{42\`), not when it was cut short. Null otherwise.
 */
export function unclosedBoxed(
  boxes: Box[],
  text: string,
  maxChars: number,
  reference: boolean,
): string | null {
  if (boxes.length === 0 || boxes.some((b) => b.end !== undefined)) return null;
  const last = boxes[boxes.length - 1]!;
  if (text[last.open] !== '{') return null;
  let rest = text.slice(last.open + 1).trim();
  if (!reference) {
    const closer = /\\\}?\s*\$*\s*\.?$/.exec(rest);
    if (!closer) return null;
    rest = rest.slice(0, closer.index).trim();
  }
  if (!rest || rest.length > maxChars) return null;
  // Balanced braces only: the box is the one thing left open.
  let depth = 0;
  for (let k = 0; k < rest.length && depth >= 0; k++) {
    if (rest[k] === '\\') k++;
    else if (rest[k] === '{') depth++;
    else if (rest[k] === '}') depth--;
  }
  return depth === 0 ? rest : null;
}
