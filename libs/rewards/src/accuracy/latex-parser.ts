import { mapChildren, type Node } from './ast.js';
import { baseNumber, FUNCS, isFnToken, MATRIX_ENVS, REL, UNSUPPORTED_OPERATORS } from './latex-grammar.js';
import { type Token, tokenize } from './latex-tokens.js';
import { type Budget, MAX_DEPTH, MAX_NODES, ParseError } from './limits.js';
import { parseDecimal } from './rational.js';

/**
 * A recursive-descent parser from normalized LaTeX (or plain math such as `x^2+3*x`) to the
 * expression tree of ast.ts. Precedence, low to high: answer lists (`,` `;`), relations
 * (`= < \le ...`), unions (`\cup`), sums and `\pm`, products (explicit and implicit), unary
 * signs, powers, postfix `!` and `%`, primaries. Inputs are bounded by MAX_NODES and
 * MAX_DEPTH, and the budget is ticked per node, so malformed or hostile input fails fast
 * with a ParseError or TimeoutError instead of recursing without end.
 */

export class LatexParser {
  readonly #toks: Token[];
  #pos = 0;
  #depth = 0;
  /** Set while the head of `\{x : x > 2\}` is parsed, where `:` is not a ratio. */
  #noRatio = false;
  #nodes = 0;
  readonly #budget: Budget;

  constructor(src: string, budget: Budget) {
    this.#budget = budget;
    this.#toks = tokenize(src, MAX_NODES);
  }

  /** Parses the whole input; throws ParseError when something is left over. */
  parseAll(): Node {
    if (this.#toks.length === 0) throw new ParseError('empty', 'empty answer');
    const n = this.#list(() => this.#atEnd());
    if (!this.#atEnd()) throw new ParseError('bad_syntax', `unexpected "${this.#peek()!.s}"`);
    return n;
  }

  #atEnd(): boolean {
    return this.#pos >= this.#toks.length;
  }
  #peek(o = 0): Token | undefined {
    return this.#toks[this.#pos + o];
  }
  #isOp(s: string, o = 0): boolean {
    const t = this.#toks[this.#pos + o];
    return !!t && (t.k === 'op' || t.k === 'cmd') && t.s === s;
  }
  #eat(s: string): boolean {
    if (this.#isOp(s)) {
      this.#pos++;
      return true;
    }
    return false;
  }
  #expect(s: string): void {
    if (!this.#eat(s))
      throw new ParseError('bad_syntax', `expected "${s}" but found "${this.#peek()?.s ?? 'end'}"`);
  }
  #node<T extends Node>(n: T): T {
    if (++this.#nodes > MAX_NODES)
      throw new ParseError('too_complex', `answer has more than ${MAX_NODES} nodes`);
    this.#budget.tick();
    return n;
  }
  #enter(): void {
    if (++this.#depth > MAX_DEPTH) throw new ParseError('too_deep', `answer nests deeper than ${MAX_DEPTH}`);
  }

  /** Comma/semicolon separated answers until `stop()`; one item stays itself. */
  #list(stop: () => boolean): Node {
    const items = [this.#rel()];
    while (!stop() && (this.#isOp(',') || this.#isOp(';'))) {
      this.#pos++;
      if (stop()) break; // trailing comma
      items.push(this.#rel());
    }
    return items.length === 1 ? items[0]! : this.#node({ t: 'list', a: items });
  }

  #items(close: string[]): Node[] {
    const items: Node[] = [];
    if (close.some((c) => this.#isOp(c))) return items;
    items.push(this.#rel());
    while (this.#isOp(',') || this.#isOp(';')) {
      this.#pos++;
      items.push(this.#rel());
    }
    return items;
  }

  #rel(): Node {
    const a = [this.#union()];
    const ops: string[] = [];
    for (;;) {
      const t = this.#peek();
      const op = t && (t.k === 'op' || t.k === 'cmd') ? REL[t.s] : undefined;
      if (!op) break;
      this.#pos++;
      ops.push(op);
      a.push(this.#union());
    }
    return ops.length ? this.#node({ t: 'rel', ops, a }) : a[0]!;
  }

  #union(): Node {
    const a = [this.#add()];
    while (this.#eat('\\cup')) a.push(this.#add());
    return a.length > 1 ? this.#node({ t: 'union', a }) : a[0]!;
  }

  #add(): Node {
    this.#enter();
    let left = this.#term();
    const terms = [left];
    for (;;) {
      if (this.#eat('+')) terms.push(this.#term());
      else if (this.#eat('-')) terms.push(this.#node({ t: 'neg', a: this.#term() }));
      else if (this.#eat('\\pm') || this.#eat('\\mp')) {
        left = terms.length === 1 ? terms[0]! : this.#node({ t: 'add', a: terms.splice(0) });
        const right = this.#term();
        terms.length = 0;
        terms.push(this.#node({ t: 'pm', a: left, b: right }));
      } else break;
    }
    this.#depth--;
    return terms.length === 1 ? terms[0]! : this.#node({ t: 'add', a: terms });
  }

  #startsFactor(): boolean {
    const t = this.#peek();
    if (!t) return false;
    if (t.k === 'num' || t.k === 'sym' || t.k === 'word') return true;
    if (t.k === 'op') return t.s === '(' || t.s === '{';
    if (t.k === 'cmd' && /^\\[a-zA-Z]+$/.test(t.s) && !NOT_FACTOR_COMMANDS.has(t.s.slice(1))) {
      // An unknown name (`2\alpha`) is an opaque symbol; operators, relations and closers are not.
      const name = t.s.slice(1);
      if (!(name in REL_NAMES) && !UNSUPPORTED_OPERATORS.has(name) && !FUNCS.has(name)) return true;
    }
    return (
      t.k === 'cmd' &&
      /^\\(frac|sqrt|binom|pi|infty|lfloor|lceil|operatorname|mathbb|sum|prod|sin|cos|tan|sec|csc|cot|arcsin|arccos|arctan|sinh|cosh|tanh|ln|log|exp|e|begin)$/.test(
        t.s,
      )
    );
  }

  #term(): Node {
    const factors = [this.#unary()];
    for (;;) {
      if (this.#eat('*') || this.#eat('\\cdot') || this.#eat('\\times') || this.#eat('\\ast')) {
        factors.push(this.#unary());
      } else if (this.#eat('/') || this.#eat('\\div') || (!this.#noRatio && this.#eat(':'))) {
        // `7:32` and `V_1 : V_2` are ratios (clock times are read before parsing).
        const b = this.#unary();
        const a = factors.length === 1 ? factors[0]! : this.#node({ t: 'mul', a: factors.splice(0) });
        factors.length = 0;
        factors.push(this.#node({ t: 'div', a, b }));
      } else if (this.#startsFactor()) {
        const prev = this.#toks[this.#pos - 1];
        const spaced = this.#spacedMixedNumber(prev, factors);
        if (spaced) {
          const last = factors.pop()!;
          let mixed: Node =
            last.t === 'neg'
              ? this.#node({ t: 'neg', a: this.#node({ t: 'add', a: [last.a, spaced] }) })
              : this.#node({ t: 'add', a: [last, spaced] });
          if (this.#eat('%')) mixed = this.#node({ t: 'pct', a: mixed });
          factors.push(mixed);
          continue;
        }
        // `1 2` is no product: two numbers side by side are a typo or a lost separator.
        // A power before a number is a product: `2^6 3^5`.
        if (prev?.k === 'num' && this.#peek()?.k === 'num' && factors[factors.length - 1]!.t !== 'pow')
          throw new ParseError('bad_syntax', `two numbers side by side: "${prev.s} ${this.#peek()!.s}"`);
        const mixed = this.#mixedNumber(prev);
        if (mixed) {
          const last = factors.pop()!;
          factors.push(
            last.t === 'neg'
              ? this.#node({ t: 'neg', a: this.#node({ t: 'add', a: [last.a, mixed] }) })
              : this.#node({ t: 'add', a: [last, mixed] }),
          );
        } else factors.push(this.#pow());
      } else break;
    }
    return factors.length === 1 ? factors[0]! : this.#node({ t: 'mul', a: factors });
  }

  /**
   * `4 4/9` (an integer, a space, an integer fraction) is the mixed number 40/9, as in
   * Math-Verify's tests/test_mixed_number_extraction.py. Not after a fraction, a decimal or a
   * bracket (`11/10 4/9`, `11.0 4/9`, `(11) 4/9` stay malformed), nor before `^`, `/` or
   * another number, nor with an improper fraction part.
   */
  #spacedMixedNumber(prev: Token | undefined, factors: Node[]): Node | null {
    const int = (t: Token | undefined) => t?.k === 'num' && /^\d+$/.test(t.s);
    if (!int(prev) || factors.length !== 1) return null;
    const last = factors[0]!;
    if (!(last.t === 'num' || (last.t === 'neg' && last.a.t === 'num'))) return null;
    const [a, slash, b, after] = [this.#peek(), this.#peek(1), this.#peek(2), this.#peek(3)];
    if (!int(a) || !a!.sp || slash?.s !== '/' || slash.sp || !int(b) || b!.sp) return null;
    if (after && (after.k === 'num' || after.s === '^' || after.s === '/' || after.s === '!')) return null;
    // A proper fraction only: `11 6/6`, `11 7/6` and `4 4/0` are no mixed numbers.
    if (BigInt(a!.s) >= BigInt(b!.s)) return null;
    this.#pos += 3;
    return this.#node({
      t: 'div',
      a: this.#node({ t: 'num', v: parseDecimal(a!.s)! }),
      b: this.#node({ t: 'num', v: parseDecimal(b!.s)! }),
    });
  }

  /** `2\frac{1}{2}` is the mixed number 2 1/2 (Hendrycks MATH convention), not 2 * 1/2. */
  #mixedNumber(prev: Token | undefined): Node | null {
    if (!prev || prev.k !== 'num' || prev.s.includes('.') || !this.#isOp('\\frac')) return null;
    const m = this.#toks.slice(this.#pos, this.#pos + 7).map((t) => t.s);
    const digits = /^\d+$/;
    let frac: [string, string] | null = null;
    let width = 0;
    if (
      m[1] === '{' &&
      digits.test(m[2] ?? '') &&
      m[3] === '}' &&
      m[4] === '{' &&
      digits.test(m[5] ?? '') &&
      m[6] === '}'
    ) {
      frac = [m[2]!, m[5]!];
      width = 7;
    } else if (m[1] && /^\d\d$/.test(m[1])) {
      frac = [m[1][0]!, m[1][1]!];
      width = 2;
    }
    if (!frac) return null;
    this.#pos += width;
    return this.#node({
      t: 'div',
      a: this.#node({ t: 'num', v: parseDecimal(frac[0])! }),
      b: this.#node({ t: 'num', v: parseDecimal(frac[1])! }),
    });
  }

  #unary(): Node {
    if (this.#eat('-')) return this.#node({ t: 'neg', a: this.#unary() });
    if (this.#eat('+')) return this.#unary();
    if (this.#eat('\\pm') || this.#eat('\\mp')) {
      return this.#node({ t: 'pm', a: this.#node({ t: 'num', v: { n: 0n, d: 1n } }), b: this.#unary() });
    }
    return this.#pow();
  }

  #pow(): Node {
    this.#enter();
    let base = this.#postfix(this.#primary());
    if (this.#eat('^')) {
      // Right-associative: 2^3^2 = 2^(3^2).
      const exps = [this.#exponent()];
      while (this.#eat('^')) exps.push(this.#exponent());
      let exp = exps.pop()!;
      while (exps.length) exp = this.#node({ t: 'pow', a: exps.pop()!, b: exp });
      base = this.#postfix(this.#node({ t: 'pow', a: base, b: exp }));
    }
    this.#depth--;
    return base;
  }

  /** The argument of `^`, `\frac`, `\sqrt` without braces is one character or one group. */
  #single(): Node {
    const t = this.#peek();
    if (!t) throw new ParseError('bad_syntax', 'missing argument');
    if (t.k === 'op' && t.s === '{') return this.#group();
    if (t.k === 'num' && t.s.length > 1) {
      // `\frac12`, `x^23`: the argument is the first digit only.
      this.#toks[this.#pos] = { k: 'num', s: t.s.slice(1), sp: false };
      return this.#node({ t: 'num', v: parseDecimal(t.s[0]!)! });
    }
    if (t.k === 'op' && (t.s === '-' || t.s === '+')) {
      this.#pos++;
      const inner = this.#single();
      return t.s === '-' ? this.#node({ t: 'neg', a: inner }) : inner;
    }
    return this.#primary();
  }

  #exponent(): Node {
    return this.#single();
  }

  #group(): Node {
    this.#expect('{');
    this.#enter();
    const items = this.#items(['}']);
    this.#expect('}');
    this.#depth--;
    if (items.length === 0) throw new ParseError('bad_syntax', 'empty group');
    return items.length === 1 ? items[0]! : this.#node({ t: 'set', a: items });
  }

  #postfix(n: Node): Node {
    for (;;) {
      if (this.#eat('!')) n = this.#node({ t: 'fn', name: 'factorial', args: [n] });
      else if (this.#eat('°')) n = this.#node({ t: 'fn', name: 'deg', args: [n] });
      else if (this.#eat('%')) n = this.#node({ t: 'pct', a: n });
      else if (this.#isOp("'")) this.#pos++;
      else return n;
    }
  }

  #rawGroupText(): string {
    if (!this.#isOp('{')) {
      const t = this.#peek();
      this.#pos++;
      return t?.s ?? '';
    }
    this.#pos++;
    let s = '';
    let depth = 1;
    while (!this.#atEnd()) {
      const t = this.#peek()!;
      this.#pos++;
      if (t.s === '{') depth++;
      if (t.s === '}' && --depth === 0) return s;
      s += t.s;
    }
    throw new ParseError('bad_syntax', 'unclosed "{"');
  }

  #fn(name: string): Node {
    let power: Node | null = null;
    let base: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.#eat('^')) power = this.#single();
      else if (this.#eat('_')) base = this.#single();
    }
    let arg: Node;
    if (name === 'sqrt' && this.#eat('[')) {
      const index = this.#add();
      this.#expect(']');
      const rad = this.#single();
      return this.#node({ t: 'fn', name: 'root', args: [rad, index] });
    }
    if (this.#isOp('(')) arg = this.#primary();
    else if (name === 'sqrt' && this.#isOp('{')) arg = this.#group();
    else {
      // `\sin 2x` is sin(2x): the argument runs over implicit factors up to an operator.
      const fs = [this.#pow()];
      while (this.#startsFactor() && !isFnToken(this.#peek()) && !this.#isOp('(')) fs.push(this.#pow());
      arg = fs.length === 1 ? fs[0]! : this.#node({ t: 'mul', a: fs });
    }
    let n: Node =
      name === 'log' && base
        ? this.#node({ t: 'fn', name: 'logb', args: [arg, base] })
        : this.#node({ t: 'fn', name, args: [arg] });
    if (power) n = this.#node({ t: 'pow', a: n, b: power });
    return n;
  }

  #primary(): Node {
    this.#enter();
    try {
      return this.#primaryInner();
    } finally {
      this.#depth--;
    }
  }

  #primaryInner(): Node {
    const t = this.#peek();
    if (!t) throw new ParseError('bad_syntax', 'unexpected end');
    this.#pos++;
    if (t.k === 'num') {
      if (this.#eat('_')) return this.#node({ t: 'num', v: baseNumber(t.s, this.#rawGroupText()) });
      const v = parseDecimal(t.s);
      if (!v) throw new ParseError('too_complex', `number "${t.s.slice(0, 20)}" is out of range`);
      const point = t.s.indexOf('.');
      if (point < 0 || /[eE]/.test(t.s)) return this.#node({ t: 'num', v });
      // The precision a decimal states (compare.ts, rule `rounded`).
      const sig = t.s.replace('.', '').replace(/^0+/, '').length;
      return this.#node({ t: 'num', v, dp: t.s.length - point - 1, sig });
    }
    if (t.k === 'word') {
      if (t.s === 'pi') return this.#node({ t: 'const', name: 'pi' });
      if (t.s === 'inf') return this.#node({ t: 'const', name: 'inf' });
      return this.#fn(t.s);
    }
    if (t.k === 'sym') {
      if (this.#eat('_')) {
        const sub = this.#rawGroupText();
        return this.#node({ t: 'sym', name: `${t.s}_${sub}` });
      }
      if (t.s === 'e') return this.#node({ t: 'const', name: 'e' });
      if (t.s === 'i') return this.#node({ t: 'const', name: 'i' });
      return this.#node({ t: 'sym', name: t.s });
    }
    if (t.k === 'op') {
      if (t.s === '(' || t.s === '[') {
        const items = this.#items([')', ']']);
        const close = this.#peek();
        if (!close || (close.s !== ')' && close.s !== ']'))
          throw new ParseError('bad_syntax', `unclosed "${t.s}"`);
        this.#pos++;
        if (items.length === 0) throw new ParseError('bad_syntax', 'empty brackets');
        if (items.length === 1 && (t.s === '(' || close.s === ']') && t.s === (close.s === ')' ? '(' : '['))
          return items[0]!;
        return this.#node({ t: 'seq', open: t.s, close: close.s, a: items });
      }
      if (t.s === '{') {
        this.#pos--;
        return this.#group();
      }
      if (t.s === '|') {
        const inner = this.#add();
        this.#expect('|');
        return this.#node({ t: 'fn', name: 'abs', args: [inner] });
      }
      throw new ParseError('bad_syntax', `unexpected "${t.s}"`);
    }
    // Commands.
    const name = t.s.slice(1);
    switch (name) {
      case 'frac':
      case 'dfrac':
      case 'tfrac':
      case 'cfrac': {
        const a = this.#single();
        const b = this.#single();
        return this.#node({ t: 'div', a, b });
      }
      case 'binom': {
        const a = this.#single();
        const b = this.#single();
        return this.#node({ t: 'fn', name: 'binom', args: [a, b] });
      }
      case 'pi':
        return this.#node({ t: 'const', name: 'pi' });
      case 'infty':
      case 'infin':
        return this.#node({ t: 'const', name: 'inf' });
      case 'e':
        return this.#node({ t: 'const', name: 'e' });
      case 'emptyset':
      case 'varnothing':
        return this.#node({ t: 'set', a: [] });
      case '{':
      case 'lbrace': {
        const noRatio = this.#noRatio;
        this.#noRatio = true;
        const items = this.#items(['\\}', '\\rbrace', '\\mid', '|', ':']);
        this.#noRatio = noRatio;
        // Set-builder notation `\{x \mid x > 2\}` (also `|`, `:`) is the set its condition
        // describes: the condition, which compare.ts reads as an interval.
        if (items.length === 1 && (this.#eat('\\mid') || this.#eat('|') || this.#eat(':'))) {
          const cond = this.#items(['\\}', '\\rbrace']);
          if (!this.#eat('\\}') && !this.#eat('\\rbrace'))
            throw new ParseError('bad_syntax', 'unclosed "\\{"');
          if (cond.length !== 1) throw new ParseError('bad_syntax', 'set-builder with several conditions');
          return cond[0]!;
        }
        if (!this.#eat('\\}') && !this.#eat('\\rbrace')) throw new ParseError('bad_syntax', 'unclosed "\\{"');
        return this.#node({ t: 'set', a: items });
      }
      case 'langle': {
        const items = this.#items(['\\rangle']);
        this.#expect('\\rangle');
        return this.#node({ t: 'seq', open: '(', close: ')', a: items });
      }
      case 'lfloor':
      case 'lceil': {
        const inner = this.#add();
        this.#expect(name === 'lfloor' ? '\\rfloor' : '\\rceil');
        return this.#node({ t: 'fn', name: name === 'lfloor' ? 'floor' : 'ceil', args: [inner] });
      }
      case 'lvert':
      case 'vert': {
        const inner = this.#add();
        if (!this.#eat('\\rvert')) this.#expect('\\vert');
        return this.#node({ t: 'fn', name: 'abs', args: [inner] });
      }
      case 'operatorname': {
        const fname = this.#rawGroupText();
        if (FUNCS.has(fname)) return this.#fn(fname);
        return this.#node({ t: 'sym', name: fname });
      }
      case 'mathbb': {
        const set = this.#rawGroupText();
        if (set === 'R') {
          const inf: Node = { t: 'const', name: 'inf' };
          return this.#node({ t: 'seq', open: '(', close: ')', a: [{ t: 'neg', a: inf }, inf] });
        }
        return this.#node({ t: 'sym', name: `set_${set}` });
      }
      case 'begin':
        return this.#matrixEnv();
      case 'sum':
      case 'prod':
        return this.#series(name);
      default:
        if (FUNCS.has(name)) return this.#fn(name);
        // An unknown name without arguments (`1 = \zzz = x = 0`) is an opaque symbol; with
        // arguments (`\foo{3}`) its meaning is unknown and the answer unparseable.
        if (
          /^[a-zA-Z]+$/.test(name) &&
          !UNSUPPORTED_OPERATORS.has(name) &&
          !['{', '_', '^', '['].includes(this.#peek()?.s ?? '')
        )
          return this.#node({ t: 'sym', name: `\\${name}` });
        throw new ParseError('bad_syntax', `unsupported command "\\${name.slice(0, 30)}"`);
    }
  }

  /**
   * `\sum_{k=1}^{n} body` / `\prod`: fn `sum`/`prod` with args (body, index, lo, hi). The body
   * runs over implicit factors like a function argument (`\sum_{k=1}^{n} 2k` sums 2k).
   */
  #series(name: string): Node {
    let range: Node | null = null;
    let hi: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (this.#eat('_')) range = this.#single();
      else if (this.#eat('^')) hi = this.#single();
    }
    const index = range?.t === 'rel' && range.ops.length === 1 && range.ops[0] === '=' ? range.a[0]! : null;
    // `i` and `e` read as constants elsewhere; as an index they are the summation variable.
    const indexName = index?.t === 'sym' || (index?.t === 'const' && index.name !== 'pi') ? index.name : null;
    if (!range || range.t !== 'rel' || !indexName || !hi)
      throw new ParseError('bad_syntax', `\\${name} needs _{k=lo}^{hi}`);
    const fs = [this.#pow()];
    while (this.#startsFactor() && !this.#isOp('(') && !/^\\(?:sum|prod)$/.test(this.#peek()!.s))
      fs.push(this.#pow());
    let body = fs.length === 1 ? fs[0]! : this.#node({ t: 'mul', a: fs });
    if (index!.t === 'const') body = constToSym(body, indexName);
    const sym: Node = { t: 'sym', name: indexName };
    return this.#node({ t: 'fn', name, args: [body, sym, range.a[1]!, hi] });
  }

  #matrixEnv(): Node {
    const env = this.#rawGroupText();
    if (!MATRIX_ENVS.has(env))
      throw new ParseError('bad_syntax', `unsupported environment "${env.slice(0, 30)}"`);
    if (env === 'array' && this.#isOp('{')) this.#rawGroupText();
    const rows: Node[][] = [];
    let row: Node[] = [];
    for (;;) {
      this.#budget.tick();
      if (this.#eat('\\end')) {
        this.#rawGroupText();
        break;
      }
      if (this.#atEnd()) throw new ParseError('bad_syntax', `unclosed environment "${env}"`);
      row.push(this.#rel());
      if (this.#eat('&')) continue;
      if (this.#eat('\\\\')) {
        rows.push(row);
        row = [];
      }
    }
    if (row.length) rows.push(row);
    if (rows.length === 0) throw new ParseError('bad_syntax', 'empty matrix');
    return this.#node({ t: 'matrix', rows });
  }
}

/** Relation commands by bare name (`le`, `approx`), which never start a factor. */
const REL_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(REL)
    .filter(([k]) => k.startsWith('\\'))
    .map(([k, v]) => [k.slice(1), v]),
);

/** Commands that operate on or close what precedes them: never the start of an implicit factor. */
const NOT_FACTOR_COMMANDS = new Set(
  'cdot times div ast pm mp cup end right rbrace rangle rfloor rceil rvert vert dots ldots cdots'.split(' '),
);

/** `body` with the constant `name` (`i`, `e`) read as the variable of that name. */
function constToSym(n: Node, name: string): Node {
  if (n.t === 'const') return n.name === name ? { t: 'sym', name } : n;
  return mapChildren(n, (x) => constToSym(x, name));
}

/** Parses one normalized answer. */
export function parseLatex(src: string, budget: Budget): Node {
  return new LatexParser(src, budget).parseAll();
}
