/**
 * Regex subscriptions (`subscribed_topic_regex`): Kafka compiles them with RE2/J and a topic is
 * subscribed when the *whole* name matches (`matcher.matches()`).
 *
 * RE2's promise is what matters on a broker: matching takes time linear in the input, whatever
 * the pattern, so a client cannot stall the coordinator with `(a+)+$`. JavaScript's RegExp
 * backtracks (exponential on such patterns) and accepts constructs RE2 refuses (backreferences,
 * lookaround). So this module parses RE2's syntax itself and matches with a Thompson NFA — every
 * position advances a set of states, never backtracking — which needs no native module (the `re2`
 * npm package would need a C++ build on every install of the broker).
 *
 * Supported, as in RE2: literals and escapes (\t \n \r \f \v \a \x41 \x{263a}, escaped
 * punctuation), `.`, classes `[a-z]` `[^...]` with `[:alpha:]`-style POSIX classes, Perl classes
 * \d \s \w and their negations, Unicode classes \pL \p{Greek} \PN, \Q...\E, groups `(...)`
 * `(?:...)` `(?P<name>...)` `(?<name>...)`, flags `(?i)` `(?s)` `(?m)` `(?U)` and `(?i:...)`,
 * alternation, `* + ?` and `{n}` `{n,}` `{n,m}` (greedy or lazy — the same for a yes/no match;
 * at most 1000), anchors `^ $ \A \z \b \B`. Refused, as RE2 refuses them: backreferences,
 * lookahead/lookbehind, atomic groups, possessive quantifiers, unknown escapes, bad syntax.
 */

/** A compiled pattern: `matches(name)` is RE2's full match. */
export interface TopicRegex {
  readonly source: string;
  matches(topic: string): boolean;
}

export class RegexSyntaxError extends Error {}

type Test = (c: string) => boolean;
type AssertKind = 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword';
type Node =
  | { t: 'char'; test: Test }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: AssertKind };

interface Flags { i: boolean; s: boolean; m: boolean }

const MAX_REPEAT = 1000;
const isWordChar = (c: string | undefined) => c !== undefined && /^[0-9A-Za-z_]$/.test(c);
const POSIX: Record<string, Test> = {
  alnum: (c) => /^[0-9A-Za-z]$/.test(c), alpha: (c) => /^[A-Za-z]$/.test(c), ascii: (c) => c.charCodeAt(0) < 128,
  blank: (c) => c === ' ' || c === '\t', cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => /^[0-9]$/.test(c), graph: (c) => /^[!-~]$/.test(c), lower: (c) => /^[a-z]$/.test(c),
  print: (c) => /^[ -~]$/.test(c), punct: (c) => /^[!-/:-@[-`{-~]$/.test(c), space: (c) => /^[\t\n\v\f\r ]$/.test(c),
  upper: (c) => /^[A-Z]$/.test(c), word: (c) => isWordChar(c), xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};
const PERL: Record<string, Test> = { d: POSIX.digit!, s: (c) => /^[\t\n\f\r ]$/.test(c), w: POSIX.word! };
const ESCAPES: Record<string, string> = { a: '\x07', f: '\f', t: '\t', n: '\n', r: '\r', v: '\v' };

function unicodeClass(name: string): Test {
  for (const prop of [name, `Script=${name}`]) {
    try {
      const re = new RegExp(`^\\p{${prop}}$`, 'u');
      return (c) => re.test(c);
    } catch { /* try the next spelling */ }
  }
  if (name === 'Any') return () => true;
  throw new RegexSyntaxError(`invalid character class range: \\p{${name}}`);
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation({ i: false, s: false, m: false });
    if (this.pos < this.src.length) throw new RegexSyntaxError(`unexpected ) at ${this.pos}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private alternation(flags: Flags): Node {
    const items = [this.concatenation(flags)];
    while (this.peek() === '|') {
      this.pos++;
      items.push(this.concatenation(flags));
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  /** Reads items up to `|` or `)`; a bare flag group `(?i)` changes `flags` for the rest. */
  private concatenation(outer: Flags): Node {
    const flags = { ...outer };
    const items: Node[] = [];
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom(flags);
      if (atom === null) continue;
      items.push(this.quantified(atom));
    }
    return { t: 'cat', items };
  }

  private quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number; let max: number;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) throw new RegexSyntaxError(`invalid repeat count: ${m[0]}`);
        this.pos += m[0].length - 1;
      } else return node;
      this.pos++;
      if (this.peek() === '?') this.pos++; // lazy: same set of matches
      if (node.t === 'rep' && node !== atom) throw new RegexSyntaxError(`bad repetition operator at ${this.pos}`);
      if (node.t === 'assert' || (node.t === 'cat' && node.items.length === 0 && c !== '{')) throw new RegexSyntaxError(`missing argument to repetition operator at ${this.pos}`);
      node = { t: 'rep', node, min, max };
      const next = this.peek();
      if (next === '*' || next === '+' || next === '?') throw new RegexSyntaxError(`bad repetition operator: ${c}${next}`);
    }
  }

  private atom(flags: Flags): Node | null {
    const c = this.src[this.pos++]!;
    switch (c) {
      case '(': return this.group(flags);
      case '[': return this.charClass(flags);
      case '.': return { t: 'char', test: flags.s ? () => true : (x) => x !== '\n' };
      case '^': return { t: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case '$': return { t: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case '\\': return this.escape(flags);
      case '*': case '+': case '?': throw new RegexSyntaxError(`missing argument to repetition operator: ${c}`);
      default: return literal(c, flags);
    }
  }

  private group(flags: Flags): Node | null {
    let inner = flags;
    if (this.src.startsWith('?', this.pos)) {
      const rest = this.src.slice(this.pos + 1);
      const named = /^(P?<)([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) this.pos += 1 + named[0].length;
      else {
        const m = /^(-?[imsU]+|[imsU]+-[imsU]+)?([:)])/.exec(rest);
        if (!m || (m[1] === undefined && m[2] === ')')) throw new RegexSyntaxError(`invalid or unsupported Perl syntax: (?${rest.slice(0, 2)}`);
        inner = applyFlags(flags, m[1] ?? '');
        this.pos += 1 + m[0].length;
        if (m[2] === ')') {
          Object.assign(flags, inner); // (?i): for the rest of the enclosing group
          return null;
        }
      }
    }
    const node = this.alternation(inner);
    if (this.peek() !== ')') throw new RegexSyntaxError('missing closing )');
    this.pos++;
    return node;
  }

  private escape(flags: Flags): Node {
    const c = this.src[this.pos++];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
    if (c === 'Q') {
      const end = this.src.indexOf('\\E', this.pos);
      const text = this.src.slice(this.pos, end === -1 ? undefined : end);
      this.pos = end === -1 ? this.src.length : end + 2;
      return { t: 'cat', items: [...text].map((x) => literal(x, flags)) };
    }
    const kinds: Record<string, AssertKind> = { A: 'bot', z: 'eot', b: 'word', B: 'nonword' };
    if (kinds[c]) return { t: 'assert', kind: kinds[c] };
    const test = this.escapeTest(c);
    if (test) return { t: 'char', test };
    return literal(this.escapeChar(c), flags);
  }

  /** A class escape (\d \W \pL ...), or null when `c` is not one. */
  private escapeTest(c: string): Test | null {
    const perl = PERL[c.toLowerCase()];
    if (perl && /[dswDSW]/.test(c)) return c === c.toLowerCase() ? perl : (x) => !perl(x);
    if (c === 'p' || c === 'P') {
      let name = this.src[this.pos++];
      if (name === '{') {
        const end = this.src.indexOf('}', this.pos);
        if (end === -1) throw new RegexSyntaxError('missing closing } in \\p{');
        name = this.src.slice(this.pos, end);
        this.pos = end + 1;
      }
      if (!name) throw new RegexSyntaxError('invalid escape sequence: \\p');
      const negated = name.startsWith('^') !== (c === 'P');
      const test = unicodeClass(name.replace(/^\^/, ''));
      return negated ? (x) => !test(x) : test;
    }
    return null;
  }

  /** The character an escape stands for; RE2 refuses unknown letter escapes and backreferences. */
  private escapeChar(c: string): string {
    if (ESCAPES[c]) return ESCAPES[c];
    if (c === 'x') {
      const m = /^(\{([0-9A-Fa-f]{1,6})\}|[0-9A-Fa-f]{2})/.exec(this.src.slice(this.pos));
      if (!m) throw new RegexSyntaxError('invalid escape sequence: \\x');
      this.pos += m[0].length;
      return String.fromCodePoint(parseInt(m[2] ?? m[1]!, 16));
    }
    if (/[1-9]/.test(c)) throw new RegexSyntaxError(`invalid escape sequence: \\${c} (backreferences are not supported)`);
    if (c === '0' || /[A-Za-z0-9]/.test(c)) throw new RegexSyntaxError(`invalid escape sequence: \\${c}`);
    return c;
  }

  private charClass(flags: Flags): Node {
    const negated = this.peek() === '^';
    if (negated) this.pos++;
    const tests: Test[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      if (this.pos >= this.src.length) throw new RegexSyntaxError('missing closing ]');
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (posix) {
        const t = POSIX[posix[2]!];
        if (!t) throw new RegexSyntaxError(`invalid character class range: ${posix[0]}`);
        tests.push(posix[1] ? (x) => !t(x) : t);
        this.pos += posix[0].length;
        continue;
      }
      let lo = this.src[this.pos++]!;
      if (lo === '\\') {
        const e = this.src[this.pos++];
        if (e === undefined) throw new RegexSyntaxError('missing closing ]');
        const test = this.escapeTest(e);
        if (test) { tests.push(test); continue; }
        lo = this.escapeChar(e);
      }
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        let hi = this.src[this.pos++]!;
        if (hi === '\\') hi = this.escapeChar(this.src[this.pos++] ?? '');
        const [a, b] = [lo.codePointAt(0)!, hi.codePointAt(0)!];
        if (b < a) throw new RegexSyntaxError(`invalid character class range: ${lo}-${hi}`);
        tests.push((x) => x.codePointAt(0)! >= a && x.codePointAt(0)! <= b);
      } else {
        tests.push((x) => x === lo);
      }
    }
    this.pos++;
    const inClass = (x: string) => tests.some((t) => t(x));
    const cased: Test = flags.i ? (x) => inClass(x) || inClass(x.toLowerCase()) || inClass(x.toUpperCase()) : inClass;
    return { t: 'char', test: negated ? (x) => !cased(x) : cased };
  }
}

function applyFlags(flags: Flags, spec: string): Flags {
  const out = { ...flags };
  let on = true;
  for (const f of spec) {
    if (f === '-') on = false;
    else if (f === 'i' || f === 's' || f === 'm') out[f] = on;
    // U (ungreedy) changes which match is found, never whether one is.
  }
  return out;
}

function literal(c: string, flags: Flags): Node {
  if (!flags.i) return { t: 'char', test: (x) => x === c };
  const lower = c.toLowerCase();
  return { t: 'char', test: (x) => x.toLowerCase() === lower };
}

// ------------------------------------------------------------------------------------------
// Thompson NFA: a program of instructions, run over the input as a set of states.

type Inst =
  | { op: 'char'; test: Test; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

class Compiler {
  readonly prog: Inst[] = [];

  /** Emits `node` so that it continues at the returned patch list's target; returns its start. */
  compile(node: Node): number {
    const start = this.emit(node, -1);
    const match = this.prog.push({ op: 'match' }) - 1;
    this.resolve(-1, match);
    return start === -1 ? match : start;
  }

  /** Emits `node` whose exits go to `next` (a placeholder -1 is patched by resolve). */
  private emit(node: Node, next: number): number {
    switch (node.t) {
      case 'char': return this.prog.push({ op: 'char', test: node.test, next }) - 1;
      case 'assert': return this.prog.push({ op: 'assert', kind: node.kind, next }) - 1;
      case 'cat': {
        let start = next;
        for (let i = node.items.length - 1; i >= 0; i--) start = this.emit(node.items[i]!, start);
        return start;
      }
      case 'alt': {
        const starts = node.items.map((n) => this.emit(n, next));
        return starts.reduceRight((b, a) => this.prog.push({ op: 'split', a, b }) - 1);
      }
      case 'rep': {
        // x{min,max}: min copies, then (max - min) optional copies, or a loop when unbounded.
        let start = next;
        if (node.max === -1) {
          const loop = this.prog.push({ op: 'split', a: -2, b: next }) - 1;
          const body = this.emit(node.node, loop);
          (this.prog[loop] as { a: number }).a = body;
          start = loop;
        } else {
          for (let i = node.min; i < node.max; i++) {
            const body = this.emit(node.node, start);
            start = this.prog.push({ op: 'split', a: body, b: start }) - 1;
          }
        }
        for (let i = 0; i < node.min; i++) start = this.emit(node.node, start);
        return start;
      }
    }
  }

  private resolve(placeholder: number, target: number): void {
    for (const inst of this.prog) {
      if ((inst.op === 'char' || inst.op === 'assert') && inst.next === placeholder) inst.next = target;
      if (inst.op === 'split') {
        if (inst.a === placeholder) inst.a = target;
        if (inst.b === placeholder) inst.b = target;
      }
    }
  }
}

function assertHolds(kind: AssertKind, input: readonly string[], pos: number): boolean {
  switch (kind) {
    case 'bot': return pos === 0;
    case 'eot': return pos === input.length;
    case 'bol': return pos === 0 || input[pos - 1] === '\n';
    case 'eol': return pos === input.length || input[pos] === '\n';
    case 'word': return isWordChar(input[pos - 1]) !== isWordChar(input[pos]);
    case 'nonword': return isWordChar(input[pos - 1]) === isWordChar(input[pos]);
  }
}

/** Compiles an RE2 pattern; throws RegexSyntaxError where RE2 would refuse it. */
export function compileTopicRegex(source: string): TopicRegex {
  const compiler = new Compiler();
  const start = compiler.compile(new Parser(source).parse());
  const prog = compiler.prog;
  return {
    source,
    matches(input: string): boolean {
      const chars = [...input];
      let current = new Set<number>();
      // Follows splits and assertions from `pc` at `pos`: the states reachable without input.
      const add = (set: Set<number>, pc: number, pos: number) => {
        if (pc < 0 || set.has(pc)) return;
        set.add(pc);
        const inst = prog[pc]!;
        if (inst.op === 'split') {
          add(set, inst.a, pos);
          add(set, inst.b, pos);
        } else if (inst.op === 'assert' && assertHolds(inst.kind, chars, pos)) {
          add(set, inst.next, pos);
        }
      };
      add(current, start, 0);
      for (let i = 0; i < chars.length && current.size > 0; i++) {
        const next = new Set<number>();
        for (const pc of current) {
          const inst = prog[pc]!;
          if (inst.op === 'char' && inst.test(chars[i]!)) add(next, inst.next, i + 1);
        }
        current = next;
      }
      for (const pc of current) if (prog[pc]!.op === 'match') return true;
      return false;
    },
  };
}
