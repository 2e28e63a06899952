/**
 * Limits of the accuracy reward and the cooperative time budget. Every limit is explicit
 * so that no gold/prediction pair can make the grader hang or run out of memory; the
 * service's worker-kill is only a backstop.
 */

/** Default time budget per pair (ms), param `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 1000;
/** Default longest extracted answer (chars), param `maxAnswerChars`; longer ones are `unparseable`. */
export const DEFAULT_MAX_ANSWER_CHARS = 1000;
/** Most AST nodes one parsed answer may have. */
export const MAX_NODES = 4000;
/** Deepest nesting the parser follows (braces, parentheses, fractions). */
export const MAX_DEPTH = 500;
/** Largest |exponent| evaluated exactly with BigInt; bigger ones go to floating point. */
export const MAX_EXACT_EXPONENT = 4096;
/** Largest bit length of an exact BigInt intermediate; beyond it exact arithmetic gives up. */
export const MAX_EXACT_BITS = 20_000;
/** Largest n for which n! is computed exactly. */
export const MAX_EXACT_FACTORIAL = 500;
/** Most terms one `\sum`/`\prod` is expanded to; a longer one has no value (NaN). */
export const MAX_SERIES_TERMS = 10_000;
/** Most `\sum`/`\prod` terms expanded for one pair, nested sums and all sample points together. */
export const MAX_SERIES_TERMS_PER_PAIR = 200_000;
/** Random points at which two expressions with free variables are evaluated. */
export const RANDOM_POINTS = 6;

/** Thrown when a pair runs out of its time budget; surfaces as status `error`, reason `timeout`. */
export class TimeoutError extends Error {
  constructor() {
    super('accuracy: time budget exhausted');
    this.name = 'TimeoutError';
  }
}

/** Thrown for an answer the grader refuses to parse (too long, too many nodes, bad syntax). */
export class ParseError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'ParseError';
    this.reason = reason;
  }
}

/**
 * A cooperative deadline. Loops call `tick()`; the clock is read every 64 ticks so the
 * check costs almost nothing, and a pair stops within a few microseconds of its deadline.
 */
export class Budget {
  readonly deadlineMs: number;
  /** Terms of `\sum`/`\prod` expanded so far for this pair (all sample points together). */
  seriesTerms = 0;
  #ticks = 0;
  constructor(deadlineMs: number) {
    this.deadlineMs = deadlineMs;
  }
  static fromTimeout(timeoutMs: number, outerDeadlineMs?: number): Budget {
    const own = Date.now() + timeoutMs;
    return new Budget(outerDeadlineMs === undefined ? own : Math.min(own, outerDeadlineMs));
  }
  tick(): void {
    if ((++this.#ticks & 63) === 0 && Date.now() > this.deadlineMs) throw new TimeoutError();
  }
  check(): void {
    if (Date.now() > this.deadlineMs) throw new TimeoutError();
  }
}
