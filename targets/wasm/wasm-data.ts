/**
 * @fileoverview A WebAssembly module as plain data, and the small vocabulary the builders write code in. An
 * instruction is `[opcode name, ...immediates]`; locals, labels and functions are named, and the printer
 * (print-wasm.ts) resolves names to indices and depths. Expressions are instruction lists in stack order:
 * `op('i32.add', get('a'), i32(1))` is `local.get a; i32.const 1; i32.add`.
 */

export type ValType = 'i32' | 'i64' | 'f64' | 'v128';
export type Immediate = number | bigint | string;
export type Instr = readonly [string, ...Immediate[]];
export type Code = readonly Instr[];

export interface Local {
  readonly name: string;
  readonly type: ValType;
}

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly Local[];
  readonly result?: ValType;
  readonly locals: readonly Local[];
  readonly body: Code;
  /** Exported under its name. */
  readonly exported: boolean;
}

export interface DataSegment {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface WasmModule {
  /** Pages of 64 KiB; the memory never grows. */
  readonly pages: number;
  readonly data: readonly DataSegment[];
  readonly functions: readonly WasmFunction[];
}

const ins = (name: string, ...imm: Immediate[]): Code => [[name, ...imm]];

export const get = (local: string): Code => ins('local.get', local);
export const set = (local: string, value: Code): Code => [...value, ['local.set', local]];
export const i32 = (n: number): Code => ins('i32.const', n | 0);
export const i64 = (n: number | bigint): Code => ins('i64.const', BigInt(n));
export const v128zero = (): Code => ins('v128.const0');
export const call = (fn: string, ...args: Code[]): Code => [...args.flat(), ['call', fn]];

/** An operator applied to its operands, in order. */
export function op(name: string, ...args: Code[]): Code {
  return [...args.flat(), [name]];
}

/** `name` (a load) at byte `addr + offset`; `offset` is a constant folded into the instruction. */
export function load(name: string, addr: Code, offset = 0): Code {
  return [...addr, [name, offset]];
}

export function store(name: string, addr: Code, value: Code, offset = 0): Code {
  return [...addr, ...value, [name, offset]];
}

export function block(label: string, body: Code): Code {
  return [['block', label], ...body, ['end']];
}

export function ifThen(cond: Code, then: Code, otherwise: Code = []): Code {
  return [...cond, ['if'], ...then, ...(otherwise.length > 0 ? [['else'] as Instr, ...otherwise] : []), ['end']];
}

export function brIf(label: string, cond: Code): Code {
  return [...cond, ['br_if', label]];
}

let labels = 0;
/** A label unique within the process (the printer needs names unique only along one nesting path). */
export function freshLabel(what: string): string {
  return `${what}${labels++}`;
}

/** `for (v = from; v < to; v += step) body` over i32 `v`; `to` is re-evaluated at each test. */
export function forRange(v: string, from: Code, to: Code, step: number, body: Code): Code {
  const out = freshLabel('out');
  const again = freshLabel('loop');
  return [
    ...set(v, from),
    ...block(out, [
      ...brIf(out, op('i32.ge_s', get(v), to)),
      ['loop', again],
      ...body,
      ...set(v, op('i32.add', get(v), i32(step))),
      ...brIf(again, op('i32.lt_s', get(v), to)),
      ['end'],
    ]),
  ];
}

/** `body` once per set bit of i32 local `mask`, lowest first, with local `bit` its index; clears `mask`. */
export function forEachBit(mask: string, bit: string, body: Code): Code {
  const out = freshLabel('bitsDone');
  const again = freshLabel('bits');
  return block(out, [
    ['loop', again],
    ...brIf(out, op('i32.eqz', get(mask))),
    ...set(bit, op('i32.ctz', get(mask))),
    ...body,
    ...set(mask, op('i32.and', get(mask), op('i32.sub', get(mask), i32(1)))),
    ['br', again],
    ['end'],
  ]);
}

/** `x := min(max(x, lo), hi)` on i64 local `x`, by selects (no branch to mispredict); a side is left out when `null`. */
export function clampLocal64(x: string, lo: number | null, hi: number | null): Code {
  return [
    ...(lo === null ? [] : set(x, op('select', i64(lo), get(x), op('i64.lt_s', get(x), i64(lo))))),
    ...(hi === null ? [] : set(x, op('select', i64(hi), get(x), op('i64.gt_s', get(x), i64(hi))))),
  ];
}

/** roundShift(e, s) = (e + 2^(s-1)) >> s with an arithmetic shift, on i64; the identity for s = 0. */
export function roundShift64(e: Code, shift: number): Code {
  return shift === 0 ? e : op('i64.shr_s', op('i64.add', e, i64(2n ** BigInt(shift - 1))), i64(shift));
}

/** Collects the locals of one function as the builders declare them. */
export class Locals {
  readonly list: Local[] = [];
  add(name: string, type: ValType): string {
    if (!this.list.some((l) => l.name === name)) this.list.push({ name, type });
    return name;
  }
}
