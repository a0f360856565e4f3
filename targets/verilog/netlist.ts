/**
 * @fileoverview The Verilog netlist as plain data (modules, ports, parameters, nets, memories, instances, always and
 * generate blocks, with an expression tree) plus the small constructors the cores and the top level are built from.
 * `print-verilog.ts` is the only code that turns it into text.
 */

export type UnaryOp = '~' | '!' | '-' | '&' | '|' | '^';
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '&&' | '||'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '<<' | '>>' | '>>>' | '<<<';
/** System functions usable inside expressions. */
export type SystemFunction = '$signed' | '$unsigned' | '$clog2' | '$fopen' | '$fscanf' | '$value$plusargs' | '$feof';
/** System tasks usable as statements. */
export type SystemTask =
  | '$readmemh' | '$fwrite' | '$fdisplay' | '$display' | '$fclose' | '$finish' | '$dumpfile' | '$dumpvars' | '$fflush';

export type Expr =
  | { readonly kind: 'ref'; readonly name: string }
  /** An integer literal; `width` undefined prints an unsized decimal. */
  | { readonly kind: 'num'; readonly value: bigint; readonly width?: number; readonly signed?: boolean }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly kind: 'index'; readonly base: Expr; readonly index: Expr }
  | { readonly kind: 'range'; readonly base: Expr; readonly msb: Expr; readonly lsb: Expr }
  /** `base[start +: width]`. */
  | { readonly kind: 'part'; readonly base: Expr; readonly start: Expr; readonly width: Expr }
  | { readonly kind: 'concat'; readonly parts: readonly Expr[] }
  | { readonly kind: 'repeat'; readonly count: Expr; readonly arg: Expr }
  | { readonly kind: 'call'; readonly fn: SystemFunction; readonly args: readonly Expr[] };

export type Stmt =
  | { readonly kind: 'assign'; readonly blocking: boolean; readonly target: Expr; readonly value: Expr }
  | { readonly kind: 'if'; readonly test: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  | { readonly kind: 'case'; readonly subject: Expr; readonly arms: readonly CaseArm[]; readonly default: readonly Stmt[] }
  | { readonly kind: 'for'; readonly variable: string; readonly from: Expr; readonly below: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: 'while'; readonly test: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: 'forever'; readonly body: readonly Stmt[] }
  | { readonly kind: 'task'; readonly task: SystemTask; readonly args: readonly Expr[] }
  /** `@(posedge signal);` or `@(negedge signal);` (test benches only). */
  | { readonly kind: 'wait-edge'; readonly edge: 'posedge' | 'negedge'; readonly signal: Expr }
  /** `#amount;` (test benches only). */
  | { readonly kind: 'delay'; readonly amount: number };

export interface CaseArm {
  readonly labels: readonly Expr[];
  readonly body: readonly Stmt[];
}

export type NetKind = 'wire' | 'reg' | 'integer';

export type Item =
  | { readonly kind: 'comment'; readonly text: string }
  /** A net; `width` is a bit count (omitted: one bit), `depth` makes it a memory `name [0:depth-1]`. */
  | {
      readonly kind: 'net'; readonly net: NetKind; readonly name: string; readonly width?: Expr;
      readonly signed?: boolean; readonly depth?: Expr; readonly init?: Expr;
    }
  | { readonly kind: 'localparam'; readonly name: string; readonly value: Expr; readonly width?: Expr; readonly signed?: boolean }
  | { readonly kind: 'assign'; readonly target: Expr; readonly value: Expr }
  /** `always @(posedge clock)` when clock is given, else `always @*`. */
  | { readonly kind: 'always'; readonly clock?: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: 'initial'; readonly body: readonly Stmt[] }
  | {
      readonly kind: 'instance'; readonly module: string; readonly name: string;
      readonly params: readonly (readonly [string, Expr])[]; readonly ports: readonly (readonly [string, Expr])[];
    }
  | { readonly kind: 'generate-for'; readonly genvar: string; readonly count: Expr; readonly label: string; readonly items: readonly Item[] }
  | {
      readonly kind: 'generate-if'; readonly test: Expr; readonly label: string;
      readonly then: readonly Item[]; readonly else: readonly Item[];
    };

export interface Param {
  readonly name: string;
  readonly value: Expr;
  /** `integer` for counts and modes, `string` for file names, or a (signed) bit range for wide constants. */
  readonly type: 'integer' | 'string' | { readonly width: Expr; readonly signed: boolean };
  readonly doc?: string;
}

export interface Port {
  readonly name: string;
  readonly dir: 'input' | 'output';
  readonly width?: Expr;
  readonly signed?: boolean;
  /** Output driven from an always block. */
  readonly reg?: boolean;
}

export interface Module {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly Param[];
  readonly ports: readonly Port[];
  readonly items: readonly Item[];
}

// ---- expression constructors ----

export const ref = (name: string): Expr => ({ kind: 'ref', name });
/** Unsized decimal literal (Verilog sizes it by context, which the linter accepts for constants). */
export const num = (value: number | bigint): Expr => ({ kind: 'num', value: BigInt(value) });
/** Sized literal; negative values print as two's complement of `width` bits. */
export const lit = (value: number | bigint, width: number, signed = false): Expr => ({ kind: 'num', value: BigInt(value), width, signed });
export const str = (value: string): Expr => ({ kind: 'str', value });
const bin = (op: BinaryOp) => (left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
export const add = bin('+');
export const sub = bin('-');
export const mul = bin('*');
/** Unsigned division and remainder; used only by a constant (a parameter), where synthesis reduces the divider. */
export const div = bin('/');
export const mod = bin('%');
export const and = bin('&');
export const or = bin('|');
export const xor = bin('^');
export const land = bin('&&');
export const lor = bin('||');
export const eq = bin('==');
export const ne = bin('!=');
export const lt = bin('<');
export const le = bin('<=');
export const gt = bin('>');
export const ge = bin('>=');
export const shl = bin('<<');
export const shr = bin('>>');
export const sshr = bin('>>>');
export const sshl = bin('<<<');
export const not = (arg: Expr): Expr => ({ kind: 'unary', op: '~', arg });
export const lnot = (arg: Expr): Expr => ({ kind: 'unary', op: '!', arg });
export const neg = (arg: Expr): Expr => ({ kind: 'unary', op: '-', arg });
export const reduceOr = (arg: Expr): Expr => ({ kind: 'unary', op: '|', arg });
export const reduceXor = (arg: Expr): Expr => ({ kind: 'unary', op: '^', arg });
export const cond = (test: Expr, then: Expr, otherwise: Expr): Expr => ({ kind: 'cond', test, then, else: otherwise });
export const index = (base: Expr, at: Expr | number): Expr => ({ kind: 'index', base, index: typeof at === 'number' ? num(at) : at });
export const range = (base: Expr, msb: Expr | number, lsb: Expr | number): Expr => ({
  kind: 'range', base, msb: typeof msb === 'number' ? num(msb) : msb, lsb: typeof lsb === 'number' ? num(lsb) : lsb,
});
export const part = (base: Expr, start: Expr, width: Expr): Expr => ({ kind: 'part', base, start, width });
export const cat = (...parts: Expr[]): Expr => ({ kind: 'concat', parts });
export const repeat = (count: Expr, arg: Expr): Expr => ({ kind: 'repeat', count, arg });
export const call = (fn: SystemFunction, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
export const signed = (arg: Expr): Expr => call('$signed', arg);
export const unsigned = (arg: Expr): Expr => call('$unsigned', arg);
export const minus1 = (width: Expr): Expr => sub(width, num(1));
function named(arg: Expr, what: string): Expr {
  if (arg.kind !== 'ref') throw new Error(`${what} takes a named signal (declare a wire), got ${arg.kind}`);
  return arg;
}
/** Sign extension of a named `from`-bit signal to `to` bits (to >= from; a zero repeat inside a concat is legal). */
export const sext = (arg: Expr, from: Expr, to: Expr): Expr => signed(cat(repeat(sub(to, from), index(named(arg, 'sext'), minus1(from))), arg));
/** Zero extension of a named `from`-bit signal to `to` bits (to >= from). */
export const zext = (arg: Expr, from: Expr, to: Expr): Expr => cat(repeat(sub(to, from), lit(0, 1)), named(arg, 'zext'));

// ---- statement constructors ----

export const set = (target: Expr, value: Expr): Stmt => ({ kind: 'assign', blocking: false, target, value });
export const let_ = (target: Expr, value: Expr): Stmt => ({ kind: 'assign', blocking: true, target, value });
export const if_ = (test: Expr, then: readonly Stmt[], otherwise: readonly Stmt[] = []): Stmt => ({ kind: 'if', test, then, else: otherwise });
export const task = (name: SystemTask, ...args: Expr[]): Stmt => ({ kind: 'task', task: name, args });
export const switch_ = (subject: Expr, arms: readonly CaseArm[], otherwise: readonly Stmt[] = []): Stmt => ({
  kind: 'case', subject, arms, default: otherwise,
});

// ---- module builder ----

/** Collects a module's declarations in order; each declaration returns the Expr that names it. */
export class ModuleBuilder {
  private readonly params: Param[] = [];
  private readonly ports: Port[] = [];
  private readonly items: Item[] = [];

  constructor(
    readonly name: string,
    private readonly doc: string,
  ) {}

  param(name: string, value: Expr, doc?: string): Expr {
    this.params.push({ name, value, type: 'integer', doc });
    return ref(name);
  }
  stringParam(name: string, value: string, doc?: string): Expr {
    this.params.push({ name, value: str(value), type: 'string', doc });
    return ref(name);
  }
  /** A parameter with a bit range, for constants wider than 32 bits or signed values. */
  wideParam(name: string, width: Expr, isSigned: boolean, value: Expr, doc?: string): Expr {
    this.params.push({ name, value, type: { width, signed: isSigned }, doc });
    return ref(name);
  }
  input(name: string, width?: Expr, isSigned = false): Expr {
    this.ports.push({ name, dir: 'input', width, signed: isSigned });
    return ref(name);
  }
  output(name: string, width?: Expr, options: { reg?: boolean; signed?: boolean } = {}): Expr {
    this.ports.push({ name, dir: 'output', width, signed: options.signed, reg: options.reg });
    return ref(name);
  }
  localparam(name: string, value: Expr, width?: Expr, isSigned = false): Expr {
    this.items.push({ kind: 'localparam', name, value, width, signed: isSigned });
    return ref(name);
  }
  wire(name: string, width?: Expr, isSigned = false): Expr {
    this.items.push({ kind: 'net', net: 'wire', name, width, signed: isSigned });
    return ref(name);
  }
  reg(name: string, width?: Expr, isSigned = false, init?: Expr): Expr {
    this.items.push({ kind: 'net', net: 'reg', name, width, signed: isSigned, init });
    return ref(name);
  }
  memory(name: string, width: Expr, depth: Expr, isSigned = false): Expr {
    this.items.push({ kind: 'net', net: 'reg', name, width, depth, signed: isSigned });
    return ref(name);
  }
  integer(name: string): Expr {
    this.items.push({ kind: 'net', net: 'integer', name });
    return ref(name);
  }
  comment(text: string): void {
    this.items.push({ kind: 'comment', text });
  }
  assign(target: Expr, value: Expr): void {
    this.items.push({ kind: 'assign', target, value });
  }
  always(clock: Expr, body: readonly Stmt[]): void {
    this.items.push({ kind: 'always', clock, body });
  }
  combinational(body: readonly Stmt[]): void {
    this.items.push({ kind: 'always', body });
  }
  initial(body: readonly Stmt[]): void {
    this.items.push({ kind: 'initial', body });
  }
  instance(module: string, name: string, params: Record<string, Expr>, ports: Record<string, Expr>): void {
    this.items.push({ kind: 'instance', module, name, params: Object.entries(params), ports: Object.entries(ports) });
  }
  item(item: Item): void {
    this.items.push(item);
  }
  /** `if (test) begin : label ... end else begin : label_else ... end`, elaborated by parameter values. */
  generateIf(label: string, test: Expr, then: (g: ModuleBuilder) => void, otherwise?: (g: ModuleBuilder) => void): void {
    this.items.push({ kind: 'generate-if', test, label, then: block(then), else: otherwise ? block(otherwise) : [] });
  }
  /** `for (genvar = 0; genvar < count; ...) begin : label ... end`. */
  generateFor(label: string, genvar: string, count: Expr, build: (g: ModuleBuilder) => void): void {
    this.items.push({ kind: 'generate-for', genvar, count, label, items: block(build) });
  }
  build(): Module {
    return { name: this.name, doc: this.doc, params: this.params, ports: this.ports, items: this.items };
  }
}

/** Builds the items of a generate block with a scratch builder, so cores can declare nets inside it. */
export function block(build: (b: ModuleBuilder) => void): Item[] {
  const b = new ModuleBuilder('', '');
  build(b);
  return [...b.build().items];
}
