/**
 * A parser for the subset of RouterOS script that Wavu generates (src/gateways/agent/script.ts):
 * statements of words, `"strings"`, `$vars`, `[command substitutions]`, `(expressions)`,
 * `{blocks}` and `key=value` arguments. Anything outside the subset is refused with the line it
 * is on, so a generator change that the simulator does not know fails a test instead of passing.
 */

export class ScriptRefused extends Error {
  override name = 'ScriptRefused';
}

export type Arg =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'var'; name: string }
  | { t: 'sub'; stmt: Stmt }
  | { t: 'expr'; e: Expr }
  | { t: 'block'; body: Stmt[] }
  | { t: 'kv'; key: string; value: Arg | null };

export interface Stmt {
  args: Arg[];
  line: number;
}

export type Expr =
  | { t: 'lit'; arg: Arg }
  | { t: 'bin'; op: string; a: Expr; b: Expr }
  | { t: 'not'; a: Expr }
  | { t: 'index'; a: Expr; key: Expr };

const WORD_STOP = new Set([' ', '\t', '\n', '\r', ';', '[', ']', '(', ')', '{', '}', '"', '$']);

export function parseScript(src: string): Stmt[] {
  return new Parser(src).program();
}

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  private get line(): number {
    return this.s.slice(0, this.pos).split('\n').length;
  }
  private refuse(what: string): never {
    throw new ScriptRefused(`unsupported script at line ${this.line}: ${what}`);
  }
  private peek(o = 0): string {
    return this.s[this.pos + o] ?? '';
  }

  program(): Stmt[] {
    const out = this.statements('');
    if (this.pos < this.s.length) this.refuse(`unexpected "${this.peek()}"`);
    return out;
  }

  /** Statements until `end` ('}' or ']' or end of input). */
  private statements(end: string): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      this.skipSpace(true);
      const c = this.peek();
      if (c === '' || c === end) return out;
      if (c === '#') {
        while (this.peek() !== '\n' && this.peek() !== '') this.pos++;
        continue;
      }
      if (c === ';') {
        this.pos++;
        continue;
      }
      const st = this.statement(end);
      if (st.args.length) out.push(st);
    }
  }

  private skipSpace(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (c === '\\' && this.peek(1) === '\n')
        this.pos += 2; // line continuation
      else return;
    }
  }

  private statement(end: string): Stmt {
    const line = this.line;
    const args: Arg[] = [];
    for (;;) {
      this.skipSpace(false);
      const c = this.peek();
      if (c === '' || c === '\n' || c === ';' || c === end) return { args, line };
      if (c === '}' || c === ']' || c === ')') this.refuse(`unbalanced "${c}"`);
      args.push(this.arg());
    }
  }

  private arg(): Arg {
    const c = this.peek();
    if (c === '"') return { t: 'str', v: this.string() };
    if (c === '$') return { t: 'var', name: this.varName() };
    if (c === '[') {
      this.pos++;
      const body = this.statements(']');
      if (this.peek() !== ']') this.refuse('missing "]"');
      this.pos++;
      if (body.length !== 1) this.refuse('a [ ] substitution must hold one command');
      return { t: 'sub', stmt: body[0]! };
    }
    if (c === '(') {
      this.pos++;
      const e = this.expr(0);
      this.skipSpace(true);
      if (this.peek() !== ')') this.refuse('missing ")"');
      this.pos++;
      return { t: 'expr', e };
    }
    if (c === '{') {
      this.pos++;
      const body = this.statements('}');
      if (this.peek() !== '}') this.refuse('missing "}"');
      this.pos++;
      return { t: 'block', body };
    }
    let w = '';
    while (this.peek() !== '' && !WORD_STOP.has(this.peek())) {
      w += this.peek();
      this.pos++;
      if (w.endsWith('=') && !w.startsWith('=') && w.length > 1 && !/[<>!]=$/.test(w)) break;
    }
    if (w.endsWith('=') && w.length > 1) {
      const key = w.slice(0, -1);
      const n = this.peek();
      if (n === '' || n === ' ' || n === '\n' || n === ';' || n === ']' || n === '}')
        return { t: 'kv', key, value: null };
      return { t: 'kv', key, value: this.arg() };
    }
    if (w === '') this.refuse(`unexpected "${c}"`);
    return { t: 'word', v: w };
  }

  private varName(): string {
    this.pos++;
    let n = '';
    while (/[A-Za-z0-9_]/.test(this.peek())) n += this.s[this.pos++];
    if (!n) this.refuse('"$" without a variable name');
    return n;
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.refuse('unterminated string');
      this.pos++;
      if (c === '"') return out;
      if (c === '$') this.refuse('variable inside a string (Wavu never generates these)');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.peek();
      this.pos++;
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        n: '\n',
        r: '\r',
        t: '\t',
        $: '$',
        '?': '?',
        _: ' ',
        a: '\x07',
        b: '\b',
        f: '\f',
        v: '\v',
      };
      if (e in simple) out += simple[e];
      else if (/[0-9A-Fa-f]/.test(e) && /[0-9A-Fa-f]/.test(this.peek())) {
        out += String.fromCharCode(Number.parseInt(e + this.s[this.pos++], 16));
      } else this.refuse(`unknown escape "\\${e}"`);
    }
  }

  // ------------------------------------------------------------------ expressions

  private static readonly PREC: Record<string, number> = {
    '||': 1,
    '&&': 2,
    '=': 3,
    '!=': 3,
    '<': 3,
    '>': 3,
    '<=': 3,
    '>=': 3,
    '.': 4,
    '+': 4,
    '-': 4,
  };

  private op(): string | null {
    this.skipSpace(true);
    for (const o of ['||', '&&', '!=', '<=', '>=', '->', '=', '<', '>', '.', '+', '-']) {
      if (this.s.startsWith(o, this.pos)) return o;
    }
    return null;
  }

  private expr(min: number): Expr {
    let a = this.unary();
    for (;;) {
      const o = this.op();
      if (o === '->') {
        this.pos += 2;
        this.skipSpace(true);
        a = { t: 'index', a, key: this.unary() };
        continue;
      }
      const p = o ? Parser.PREC[o] : undefined;
      if (!o || p === undefined || p < min) return a;
      this.pos += o.length;
      const b = this.expr(p + 1);
      a = { t: 'bin', op: o, a, b };
    }
  }

  private unary(): Expr {
    this.skipSpace(true);
    const c = this.peek();
    if (c === '!') {
      this.pos++;
      return { t: 'not', a: this.unary() };
    }
    if (c === '"' || c === '$' || c === '[' || c === '(') return { t: 'lit', arg: this.arg() };
    let w = '';
    while (/[A-Za-z0-9_:]/.test(this.peek())) w += this.s[this.pos++];
    if (!w) this.refuse(`unexpected "${c}" in an expression`);
    return { t: 'lit', arg: { t: 'word', v: w } };
  }
}
