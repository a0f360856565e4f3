/**
 * @fileoverview Per-layer code of the generated model, written into the body of its `run` function: the shared event
 * loops, and the event-driven conv and pool scatters (stride and zero padding included); spiking layers are in
 * layer-spiking.ts. Every formula is docs/ir.md's; the plan says which integer operators are exact.
 */
import type { CodeBlockWriter } from 'ts-morph';
import { formatType } from '../../ir/int-type.ts';
import type { ConvOp } from '../../ir/conv.ts';
import type { PoolOp } from '../../ir/pool.ts';
import { accumulate, clampStatements, roundShiftExpr, scaleByExpr } from './expr.ts';
import type { ConvPlan, PoolPlan, Stream } from './plan.ts';

/**
 * What a layer writes: an optional part run once per inference (constant input) or once per block of timesteps (the
 * first layer's drive, plan.ts TIME_BLOCK), and its part in each timestep.
 */
export interface LayerCode {
  readonly once?: (w: CodeBlockWriter) => void;
  readonly block?: (w: CodeBlockWriter) => void;
  readonly step: (w: CodeBlockWriter) => void;
}

/** Loops over the nonzero entries of a stream, binding `i` (index) and `x` (value). */
export function forEachEvent(w: CodeBlockWriter, s: Stream, body: (x: string) => void): void {
  w.write(`for (let n = 0; n < ${s.n}; n++)`).block(() => {
    w.writeLine(`const i = ${s.idx}[n]!;`);
    if (s.val !== undefined) w.writeLine(`const x = ${s.val}[n]!;`);
    body(s.val === undefined ? '' : ' * x');
  });
}

/** Appends value `y` at index `i` to a layer's event list when it is nonzero. */
export function pushEvent(w: CodeBlockWriter, prefix: string, index: string, value: string, mayBeZero: boolean): void {
  const push = `${prefix}Idx[${prefix}N] = ${index}; ${prefix}Val[${prefix}N] = ${value}; ${prefix}N++;`;
  w.writeLine(mayBeZero ? `if (${value} !== 0) { ${push} }` : push);
}

/** The geometry of a window op (conv or pool) over one CHW plane. */
interface Window {
  readonly height: number;
  readonly width: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/**
 * Loops over the kernel taps (ky, kx) through which the input at (iy, ix) feeds an output (oy, ox), i.e.
 * oy * stride + ky - padding = iy: ky runs from max(0, ty - (outHeight-1)*stride) to min(kernel-1, ty) in steps of
 * stride, ty = iy + padding, starting at the first ky with ky = ty (mod stride); likewise kx. `body` receives the
 * expressions of oy and ox.
 */
function forEachTap(w: CodeBlockWriter, g: Window, body: (oy: string, ox: string) => void): void {
  const { kernel: k, stride: s, padding } = g;
  // ty, tx: the input's position in the padded image.
  if (padding > 0) w.writeLine(`const ty = iy + ${padding}, tx = ix + ${padding};`);
  const [ty, tx] = padding > 0 ? ['ty', 'tx'] : ['iy', 'ix'];
  const reachY = (g.outHeight - 1) * s;
  const reachX = (g.outWidth - 1) * s;
  // Below the reach, the first tap is the smallest ky >= 0 congruent to ty modulo the stride.
  const first = (t: string, reach: number): string => `${t} > ${reach} ? ${t} - ${reach} : ${s === 1 ? '0' : `${t} % ${s}`}`;
  w.writeLine(`const kyHi = ${ty} < ${k - 1} ? ${ty} : ${k - 1};`);
  w.writeLine(`const kxLo = ${first(tx, reachX)};`);
  w.writeLine(`const kxHi = ${tx} < ${k - 1} ? ${tx} : ${k - 1};`);
  const step = s === 1 ? '++' : ` += ${s}`;
  const out = (t: string, kv: string): string => (s === 1 ? `${t} - ${kv}` : `(${t} - ${kv}) / ${s}`);
  w.write(`for (let ky = ${first(ty, reachY)}; ky <= kyHi; ky${step})`).block(() => {
    w.write(`for (let kx = kxLo; kx <= kxHi; kx${step})`).block(() => body(s === 1 ? `(${out(ty, 'ky')})` : out(ty, 'ky'), out(tx, 'kx')));
  });
}

/** Binds c, iy, ix of event index i in a CHW input of `height` x `width` planes. */
function bindPosition(w: CodeBlockWriter, height: number, width: number): void {
  w.writeLine(`const c = (i / ${height * width}) | 0;`);
  w.writeLine(`const iy = ((i - c * ${height * width}) / ${width}) | 0;`);
  w.writeLine(`const ix = i - c * ${height * width} - iy * ${width};`);
}

function geometry(op: ConvOp | PoolOp): Window {
  const [, height, width] = op.inShape;
  const [, outHeight, outWidth] = op.outShape;
  return { height, width, outHeight, outWidth, kernel: op.kernel, stride: op.stride, padding: op.padding };
}

/** ` stride 2, padding 1` when either differs from the default, for comments. */
function windowNote(op: ConvOp | PoolOp): string {
  return op.stride === 1 && op.padding === 0 ? '' : `, stride ${op.stride}, padding ${op.padding}`;
}

export function convCode(p: ConvPlan): LayerCode {
  const { op, prefix: l } = p;
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const k = op.kernel;
  const plane = outHeight * outWidth;
  const uniform = op.outShift.every((s) => s === op.outShift[0]);
  const compute = (w: CodeBlockWriter): void => {
    w.writeLine(`// ${op.name}: conv ${channels}x${height}x${width} -> ${filters}x${outHeight}x${outWidth}, kernel ${k}${windowNote(op)}, out ${formatType(op.outType)}; each input event scatters into the outputs it feeds.`);
    w.writeLine(`for (let f = 0; f < ${filters}; f++) ${l}Acc.fill(${l}Bias[f]!, f * ${plane}, f * ${plane} + ${plane});`);
    forEachEvent(w, p.input, (times) => {
      bindPosition(w, height, width);
      forEachTap(w, geometry(op), (oy, ox) => {
        w.writeLine(`const wb = ((c * ${k} + ky) * ${k} + kx) * ${filters};`);
        w.writeLine(`let q = ${oy} * ${outWidth} + ${ox};`);
        w.write(`for (let f = 0; f < ${filters}; f++, q += ${plane})`).block(() => {
          w.writeLine(`${l}Acc[q] = ${accumulate(p.accKind, `${l}Acc[q]!`, `${l}W[wb + f]!${times}`)};`);
        });
      });
    });
    w.writeLine(`${l}N = 0;`);
    w.write(`for (let f = 0; f < ${filters}; f++)`).block(() => {
      if (!uniform) w.writeLine(`const half = ${l}Half[f]!;`).writeLine(`const shift = ${l}Shift[f]!;`);
      w.write(`for (let q = f * ${plane}; q < f * ${plane} + ${plane}; q++)`).block(() => {
        const shifted = uniform
          ? roundShiftExpr(`${l}Acc[q]!`, op.outShift[0]!, p.acc)
          : p.intShift ? `((${l}Acc[q]! + half) >> shift)` : `Math.floor((${l}Acc[q]! + half) / 2 ** shift)`;
        w.writeLine(`let y = ${shifted};`);
        for (const line of clampStatements('y', p.shifted, p.outRange)) w.writeLine(line);
        w.writeLine(`${l}Y[q] = y;`);
        pushEvent(w, l, 'q', 'y', true);
      });
    });
  };
  return statelessCode(p, compute);
}

/** A stateless layer (conv, pool): computed once when its input is constant over time, else every step; traced each step. */
function statelessCode(p: ConvPlan | PoolPlan, compute: (w: CodeBlockWriter) => void): LayerCode {
  const record = (w: CodeBlockWriter): void => {
    w.writeLine(`if (rec) rec.layers[${p.index}]!.output.push(Array.from(${p.prefix}Y));`);
  };
  if (p.input.constant) return { once: compute, step: record };
  return { step: (w) => (compute(w), record(w)) };
}

export function poolCode(p: PoolPlan): LayerCode {
  const { op, prefix: l } = p;
  const [channels, height, width] = op.inShape;
  const [, outHeight, outWidth] = op.outShape;
  const plane = outHeight * outWidth;
  const size = channels * plane;
  const compute = (w: CodeBlockWriter): void => {
    w.writeLine(`// ${op.name}: ${op.mode} pool ${channels}x${height}x${width} -> ${channels}x${outHeight}x${outWidth}, kernel ${op.kernel}${windowNote(op)}, ` +
      `scale ${op.scale.mul}/2^${op.scale.shift}, out ${formatType(op.outType)}; each input event adds into the windows holding it.`);
    w.writeLine(`${l}Acc.fill(0);`);
    forEachEvent(w, p.input, (times) => {
      bindPosition(w, height, width);
      forEachTap(w, geometry(op), (oy, ox) => {
        const q = `c * ${plane} + ${oy} * ${outWidth} + ${ox}`;
        w.writeLine(`const q = ${q};`);
        w.writeLine(`${l}Acc[q] = ${accumulate(p.accKind, `${l}Acc[q]!`, times === '' ? '1' : 'x')};`);
      });
    });
    w.writeLine(`${l}N = 0;`);
    w.write(`for (let q = 0; q < ${size}; q++)`).block(() => {
      const scaled = scaleByExpr(`${l}Acc[q]!`, p.scale, p.acc) ?? '0';
      w.writeLine(`${p.shifted.min < p.outRange.min || p.shifted.max > p.outRange.max ? 'let' : 'const'} y = ${scaled};`);
      for (const line of clampStatements('y', p.shifted, p.outRange)) w.writeLine(line);
      w.writeLine(`${l}Y[q] = y;`);
      pushEvent(w, l, 'q', 'y', true);
    });
  };
  return statelessCode(p, compute);
}
