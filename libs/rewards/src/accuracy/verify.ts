import type { Node } from './ast.js';
import { show } from './ast.js';
import { Comparer } from './compare.js';
import { type Extracted, type ExtractMethod, extractAnswer } from './extract.js';
import { parseLatex } from './latex-parser.js';
import { Budget, DEFAULT_MAX_ANSWER_CHARS, DEFAULT_TIMEOUT_MS, ParseError, TimeoutError } from './limits.js';
import { asciiDigits, normalizeAnswer } from './normalize.js';

/** Options of `verifyMath` and the params of the `accuracy` reward. Every field has a default. */
export interface VerifyOptions {
  /** Time budget for the pair, extraction + parsing + comparison (ms). Default 1000. */
  timeoutMs?: number;
  /** Absolute deadline (Date.now() clock) from the caller; the earlier of the two applies. */
  deadlineMs?: number;
  /** Relative tolerance for inexact numbers. Default 1e-6. */
  floatTolerance?: number;
  /** Fall back to the last math block / last number when no answer marker is found. Default true. */
  lastNumberFallback?: boolean;
  /** Extracted answers longer than this are refused (prediction: `unparseable`, reference: `error`). Default 1000. */
  maxAnswerChars?: number;
  /** `x = 2` matches `2`. Default true. */
  equationRhs?: boolean;
  /** Only `0.5` matches `50%` (not `50`). Default false. */
  strictPercent?: boolean;
  /** A gold comma list is ordered unless written as a set (docs: "Order of answers"). Default true. */
  orderedLists?: boolean;
  /** A decimal equals an exact value it correctly rounds (`0.67` ~ 2/3). Default true. */
  roundedDecimals?: boolean;
}

export type VerifyStatus = 'ok' | 'wrong' | 'unparseable' | 'error';

export interface VerifyResult {
  status: VerifyStatus;
  /** Why a pair is not `ok`: `no_answer`, `answer_too_long`, `bad_syntax`, `too_complex`, `too_deep`, `bad_reference`, `timeout`, `not_equal`. */
  reason?: string;
  /** The rule that proved equality (`exact`, `symbolic`, `set`, ...). */
  rule?: string;
  gold?: string;
  prediction?: string;
  goldMethod?: ExtractMethod;
  predictionMethod?: ExtractMethod;
  /** The parsed forms, printed. */
  goldParsed?: string;
  predictionParsed?: string;
}

interface Side {
  raw: string;
  method: ExtractMethod;
  node: Node | null;
  /** Normalized text, for the text-answer comparison. */
  text: string;
  failure?: string;
}

function prepare(raw: string, method: ExtractMethod, budget: Budget): Side {
  const norm = normalizeAnswer(raw);
  budget.check();
  if (norm.isText) return { raw, method, node: { t: 'text', s: norm.text }, text: norm.text };
  if (!norm.text) return { raw, method, node: null, text: '', failure: 'empty' };
  try {
    const node = parseLatex(norm.text, budget);
    // Answers joined by and/or form a set (compare.ts, `unorderedGold`).
    if (norm.joined && node.t === 'list') node.unordered = true;
    return { raw, method, node, text: norm.text };
  } catch (e) {
    if (e instanceof ParseError) return { raw, method, node: null, text: norm.text, failure: e.reason };
    throw e;
  }
}

/** The letter of a multiple-choice answer: `(B)`, `(B) 12`, `\\text{(B)}`, or a lone `B`. */
function choiceLetter(raw: string): string | null {
  const s = raw.replace(/\\text(?:bf)?\{([^{}]*)\}|\$/g, '$1').trim();
  return (/^\(([A-E])\)/.exec(s) ?? /^([A-E])$/.exec(s))?.[1] ?? null;
}

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$/i;

/** Seconds after midnight of a clock time `h:mm[:ss][ a.m./p.m.]`, or null. */
function clockSeconds(text: string): number | null {
  const m = CLOCK.exec(text.trim());
  if (!m) return null;
  let h = Number(m[1]);
  const [min, sec] = [Number(m[2]), Number(m[3] ?? 0)];
  if (min > 59 || sec > 59 || h > 24) return null;
  const half = m[4]?.toLowerCase();
  if (half) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (half === 'p' ? 12 : 0);
  }
  return h * 3600 + min * 60 + sec;
}

/** `1,22` or `1000,99`: one comma between digits, not a thousands grouping (the normalizer removed those). */
const DECIMAL_COMMA = /^-?\d+,\d+$/;

/**
 * The decimal comma of many languages (`2,74` for 2.74, as Math-Verify reads it): when one
 * side is `digits,digits` and the other a single number, the comma side is read again as a
 * decimal. Two comma lists are still compared as lists (`1,2` vs `2,1`).
 */
function decimalComma(g: Side, p: Side, comparer: Comparer, budget: Budget): string | null {
  const gd = DECIMAL_COMMA.test(g.text);
  const pd = DECIMAL_COMMA.test(p.text);
  if (gd === pd || g.text.includes(',') !== gd || p.text.includes(',') !== pd) return null;
  const read = (s: Side) =>
    DECIMAL_COMMA.test(s.text) ? parseLatex(s.text.replace(',', '.'), budget) : s.node!;
  try {
    return comparer.equal(read(g), read(p)) && 'decimal_comma';
  } catch (e) {
    if (e instanceof ParseError) return null;
    throw e;
  }
}

/**
 * `\boxed{2} for (i) and \boxed{-5} for (ii)` (or `$x=3$ and $x=5$` at the end) against the
 * gold `2, -5`: when the extracted answer alone does not match a gold list of n answers, the
 * last n parts (boxes, or math blocks joined by commas or and/or), in order, are tried as one
 * list. Returns the prediction and rule when they match, else null.
 */
function severalParts(
  gold: Node,
  p: Extracted,
  comparer: Comparer,
  budget: Budget,
): Pick<VerifyResult, 'prediction' | 'predictionMethod' | 'rule'> | null {
  const n = gold.t === 'list' || gold.t === 'set' ? gold.a.length : 0;
  if (!p.parts || n < 2 || p.parts.length < n) return null;
  const prediction = p.parts.slice(-n).join(p.partsJoined ? ' and ' : ', ');
  const method: ExtractMethod = p.method === 'boxed' ? 'boxes' : p.method;
  const side = prepare(prediction, method, budget);
  const rule = side.node && comparer.equal(gold, side.node);
  return rule ? { prediction, predictionMethod: method, rule } : null;
}

/**
 * Grades one prediction against one gold answer. Never throws for any input strings: bad
 * input yields a status. See docs/accuracy.md for the rules.
 */
export function verifyMath(gold: string, prediction: string, options: VerifyOptions = {}): VerifyResult {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxChars = options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS;
  const budget = Budget.fromTimeout(timeoutMs, options.deadlineMs);
  const out: VerifyResult = { status: 'error' };
  try {
    const g = extractAnswer(asciiDigits(gold), {
      lastNumberFallback: true,
      whole: 'text',
      maxWholeChars: maxChars,
      reference: true,
    });
    if (!g) return { status: 'error', reason: 'bad_reference' };
    out.gold = g.answer.slice(0, maxChars);
    out.goldMethod = g.method;
    if (g.answer.length > maxChars) return { ...out, status: 'error', reason: 'bad_reference' };
    budget.check();
    const p = extractAnswer(asciiDigits(prediction), {
      lastNumberFallback: options.lastNumberFallback ?? true,
      whole: 'bare',
      maxWholeChars: maxChars,
    });
    if (!p) return { ...out, status: 'unparseable', reason: 'no_answer' };
    out.prediction = p.answer.slice(0, maxChars);
    out.predictionMethod = p.method;
    if (p.answer.length > maxChars) return { ...out, status: 'unparseable', reason: 'answer_too_long' };
    budget.check();

    const gs = prepare(g.answer, g.method, budget);
    const ps = prepare(p.answer, p.method, budget);
    if (gs.node) out.goldParsed = show(gs.node);
    if (ps.node) out.predictionParsed = show(ps.node);
    // Multiple choice: \text{(B)}, (B) 12 and a bare B all name choice B.
    const gc = choiceLetter(gs.raw);
    const pc = gc && choiceLetter(ps.raw);
    if (gc && pc) {
      return gc === pc
        ? { ...out, status: 'ok', rule: 'choice' }
        : { ...out, status: 'wrong', reason: 'not_equal' };
    }
    // Clock times: `20:34` ~ `20:34:00` ~ `08:34 P.M.`.
    const gt = clockSeconds(gs.text);
    const pt = gt === null ? null : clockSeconds(ps.text);
    if (gt !== null && pt !== null)
      return gt === pt
        ? { ...out, status: 'ok', rule: 'clock_time' }
        : { ...out, status: 'wrong', reason: 'not_equal' };
    // Same normalized text is equal whatever it parses to (covers answers outside the grammar).
    if (gs.text && gs.text === ps.text) return { ...out, status: 'ok', rule: 'same_text' };
    if (!gs.node) return { ...out, status: 'error', reason: 'bad_reference' };
    if (!ps.node) return { ...out, status: 'unparseable', reason: ps.failure ?? 'bad_syntax' };
    const comparer = new Comparer(
      {
        floatTolerance: options.floatTolerance ?? 1e-6,
        equationRhs: options.equationRhs ?? true,
        strictPercent: options.strictPercent ?? false,
        orderedLists: options.orderedLists ?? true,
        roundedDecimals: options.roundedDecimals ?? true,
      },
      budget,
    );
    const rule = comparer.equal(gs.node, ps.node) ?? decimalComma(gs, ps, comparer, budget);
    if (rule) return { ...out, status: 'ok', rule };
    const several = severalParts(gs.node, p, comparer, budget);
    if (several) return { ...out, ...several, status: 'ok' };
    return { ...out, status: 'wrong', reason: 'not_equal' };
  } catch (e) {
    if (e instanceof TimeoutError) return { ...out, status: 'error', reason: 'timeout' };
    if (e instanceof RangeError) return { ...out, status: 'error', reason: 'too_complex' };
    throw e;
  }
}
