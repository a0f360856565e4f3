/**
 * @fileoverview Per-layer code of the generated model: event-driven conv and pool scatters (stride and zero padding
 * included) and spiking updates, written into the body of its `run` function. Every formula is docs/ir.md's; the plan says which integer operators are exact.
 */
import type { CodeBlockWriter } from 'ts-morph';
import { formatType, type IntType } from '../../ir/int-type.ts';
import { unreachable } from '../../ir/registry.ts';
import type { ConvOp } from '../../ir/conv.ts';
import type { PoolOp } from '../../ir/pool.ts';
import { accumulate, clampStatements, roundShiftExpr, scaleByExpr } from './expr.ts';
import { factorRange, foldFactor, type ConvPlan, type PoolPlan, type SpikingPlan, type Stream } from './plan.ts';
import { clampRange, intersect, rangeOf, roundShiftRange, type ArrayKind, type Range } from './ranges.ts';

/** What a layer writes: an optional part run once per inference (constant input), and its part in each timestep. */
export interface LayerCode {
  readonly once?: (w: CodeBlockWriter) => void;
  readonly step: (w: CodeBlockWriter) => void;
}

/** Loops over the nonzero entries of a stream, binding `i` (index) and `x` (value). */
function forEachEvent(w: CodeBlockWriter, s: Stream, body: (x: string) => void): void {
  w.write(`for (let n = 0; n < ${s.n}; n++)`).block(() => {
    w.writeLine(`const i = ${s.idx}[n]!;`);
    if (s.val !== undefined) w.writeLine(`const x = ${s.val}[n]!;`);
    body(s.val === undefined ? '' : ' * x');
  });
}

/** Appends value `y` at index `i` to a layer's event list when it is nonzero. */
function pushEvent(w: CodeBlockWriter, prefix: string, index: string, value: string, mayBeZero: boolean): void {
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

function outputLines(p: SpikingPlan, u: Range): (w: CodeBlockWriter) => void {
  const { op, prefix: l } = p;
  const out = op.output;
  switch (out.kind) {
    case 'binary':
      return (w) => w.writeLine(`${l}Idx[${l}N++] = j;`);
    case 'excess': {
      const excess = { min: Math.max(1, u.min - op.threshold), max: u.max - op.threshold };
      const shifted = roundShiftRange(excess, out.shift);
      const o = roundShiftExpr(op.threshold === 0 ? 'u' : `(u - ${op.threshold})`, out.shift, excess);
      return (w) => {
        w.writeLine(`${shifted.max > p.out.values.max ? 'let' : 'const'} o = ${o};`);
        for (const line of clampStatements('o', shifted, { min: 0, max: p.out.values.max })) w.writeLine(line);
        pushEvent(w, l, 'j', 'o', shifted.min <= 0);
      };
    }
    case 'membrane':
      throw new Error('a membrane output never fires: spikingCode writes it outside the firing branch');
    default:
      return unreachable(out, 'output mode');
  }
}

/** o = clamp(roundShift(u, shift), type) for u in `u`, every step (a membrane output never fires). */
function membraneOutputLines(p: SpikingPlan, shift: number, type: IntType, u: Range): (w: CodeBlockWriter) => void {
  const l = p.prefix;
  const shifted = roundShiftRange(u, shift);
  const clamps = clampStatements('o', shifted, rangeOf(type));
  const o = roundShiftExpr('u', shift, u);
  return (w) => {
    w.writeLine(`${clamps.length > 0 ? 'let' : 'const'} o = ${o};`);
    for (const line of clamps) w.writeLine(line);
    pushEvent(w, l, 'j', 'o', true);
  };
}

function resetLines(p: SpikingPlan, u: Range): (w: CodeBlockWriter) => void {
  const { op, prefix: l } = p;
  const reset = op.reset;
  switch (reset.kind) {
    case 'zero':
      return (w) => w.writeLine(`${l}V[j] = 0;`);
    case 'value':
      return (w) => w.writeLine(`${l}V[j] = ${reset.value};`);
    case 'none':
      return (w) => w.writeLine(`${l}V[j] = u;`);
    case 'subtract':
      return (w) => w.writeLine(op.threshold === 0 ? `${l}V[j] = u;` : `${l}V[j] = u - ${op.threshold};`);
    case 'refractory': {
      const factor = foldFactor(reset);
      const cut = scaleByExpr('u', factor, u);
      if (cut === undefined) return (w) => w.writeLine(`${l}V[j] = u;`);
      const cutRange = factorRange(u, factor);
      const r = { min: u.min - cutRange.max, max: u.max - cutRange.min };
      const clamps = clampStatements('r', r, p.membrane);
      if (clamps.length === 0) return (w) => w.writeLine(`${l}V[j] = u - (${cut});`);
      return (w) => {
        w.writeLine(`let r = u - (${cut});`);
        for (const line of clamps) w.writeLine(line);
        w.writeLine(`${l}V[j] = r;`);
      };
    }
    default:
      return unreachable(reset, 'reset mode');
  }
}

/** Swaps this step's buffers with the visible ones: a delay-1 layer shows what it computed at the previous step. */
function swapDelayed(w: CodeBlockWriter, p: SpikingPlan): void {
  const l = p.prefix;
  const pairs = [['U', 'UVis'], ['Idx', 'VisIdx'], ...(p.out.binary ? [] : [['Val', 'VisVal']]), ['N', 'VisN']];
  w.writeLine(`// Delay 1: the buffers of the previous step become visible; the step before that is overwritten now.`);
  for (const [a, b] of pairs) w.writeLine(`{ const swap = ${l}${a}; ${l}${a} = ${l}${b}; ${l}${b} = swap; }`);
}

/**
 * Events per pass over the accumulators, largest first: adding several input rows in one pass loads and stores each
 * accumulator once per group instead of once per event (measured in V8 on the 784-100 layer: 4 events per pass are 2x
 * faster than 1, 8 another 1.4x); the 4-group keeps the leftover single passes to at most 3. Every intermediate is
 * still a partial sum of the exact dot product, so the plan's ranges cover it.
 */
const EVENT_GROUPS = [8, 4, 1] as const;

/** acc[k] += sum over the events of w[i * width + k] * x, in passes of EVENT_GROUPS events. */
function eventGroups(w: CodeBlockWriter, s: Stream, acc: string, weights: string, width: number, accKind: ArrayKind): void {
  const term = (g: number): string => `${weights}[a${g} + k]!${s.val === undefined ? '' : ` * x${g}`}`;
  const bind = (g: number): void => {
    const at = g === 0 ? 'n' : `n + ${g}`;
    w.writeLine(`const a${g} = ${s.idx}[${at}]! * ${width}${s.val === undefined ? '' : `, x${g} = ${s.val}[${at}]!`};`);
  };
  w.block(() => {
    w.writeLine('let n = 0;');
    for (const size of EVENT_GROUPS) {
      // Four terms a line; one pass of a 4-group at most, since an 8-group loop ran before it.
      const lines: string[] = [];
      for (let g = 0; g < size; g += 4) lines.push(Array.from({ length: Math.min(4, size - g) }, (_, d) => term(g + d)).join(' + '));
      const sum = accumulate(accKind, `${acc}[k]!`, lines.join('\n  + ')).split('\n');
      const head = size === 1 ? `for (; n < ${s.n}; n++)` : size === EVENT_GROUPS[0] ? `for (; n + ${size} <= ${s.n}; n += ${size})` : `if (n + ${size} <= ${s.n})`;
      w.write(head).block(() => {
        for (let g = 0; g < size; g++) bind(g);
        if (sum.length === 1) w.writeLine(`for (let k = 0; k < ${width}; k++) ${acc}[k] = ${sum[0]};`);
        else w.write(`for (let k = 0; k < ${width}; k++)`).block(() => sum.forEach((line, i) => w.writeLine(`${i === 0 ? `${acc}[k] = ` : ''}${line}${i === sum.length - 1 ? ';' : ''}`)));
        if (size !== 1 && size !== EVENT_GROUPS[0]) w.writeLine(`n += ${size};`);
      });
    }
  });
}

export function spikingCode(p: SpikingPlan): LayerCode {
  const { op, prefix: l } = p;
  const units = op.units;
  const input = p.input;
  const drive = (w: CodeBlockWriter): void => {
    const packing = p.packing;
    if (op.synapse === 'identity') {
      const unit = p.weights.every((f) => f === 1);
      const term = input.val === undefined ? (unit ? '1' : `${l}W[i]!`) : unit ? 'x' : `${l}W[i]! * x`;
      w.writeLine(`// ${op.name}: identity synapse, drive_j = bias_j + (x_j << accShift_j), in membrane units.`);
      w.writeLine(`${l}D.set(${l}Bias);`);
      forEachEvent(w, input, () => w.writeLine(`${l}D[i] = ${accumulate(p.driveKind, `${l}D[i]!`, term)};`));
      return;
    }
    if (packing === undefined) {
      w.writeLine(`// ${op.name}: drive = bias + sum over input events of (w << accShift) * x, in membrane units.`);
      w.writeLine(`${l}D.set(${l}Bias);`);
      eventGroups(w, input, `${l}D`, `${l}W`, units, p.driveKind);
      return;
    }
    const { lanes, laneBits, words } = packing;
    w.writeLine(`// ${op.name}: acc = sum over input events of (w << accShift) * x, ${lanes} units per double (${laneBits}-bit lanes).`);
    w.writeLine(`${l}Acc.fill(0);`);
    eventGroups(w, input, `${l}Acc`, `${l}P`, words, 'Float64Array');
    w.writeLine(`// Unpack: the lowest lane is the exact remainder nearest 0, because every lane lies inside +-2^${laneBits - 1}.`);
    w.write(`for (let k = 0, j = 0; k < ${words}; k++)`).block(() => {
      w.writeLine(`let p = ${l}Acc[k]!;`);
      w.writeLine(`for (let m = 1; m < ${lanes}; m++, j++) { const q = Math.round(p * ${2 ** -laneBits}); ${l}D[j] = p - q * ${2 ** laneBits} + ${l}Bias[j]!; p = q; }`);
      w.writeLine(`${l}D[j] = p + ${l}Bias[j]!;`);
      w.writeLine('j++;');
    });
  };
  const u = intersect(p.preClamp, p.membrane);
  const fired = { min: Math.max(u.min, op.threshold + 1), max: u.max };
  const decayed = scaleByExpr(`${l}V[j]!`, p.decay, p.state);
  // A membrane output integrates and never fires; every other output fires and resets.
  const neuron = op.output.kind === 'membrane'
    ? { fires: false as const, output: membraneOutputLines(p, op.output.shift, op.output.type, clampRange(p.preClamp, p.membrane)) }
    : { fires: true as const, output: outputLines(p, fired), reset: resetLines(p, fired) };
  const update = (w: CodeBlockWriter): void => {
    if (op.delay === 1) swapDelayed(w, p);
    w.writeLine(op.output.kind === 'membrane'
      ? `// ${op.name}: membrane ${formatType(op.membraneType)}, membrane output (never fires), shift ${op.output.shift}, out ${formatType(op.output.type)}.`
      : `// ${op.name}: membrane ${formatType(op.membraneType)}, threshold ${op.threshold}, ${op.output.kind} output, ${op.reset.kind} reset.`);
    w.writeLine(`${l}N = 0;`);
    w.write(`for (let j = 0; j < ${units}; j++)`).block(() => {
      const clamps = clampStatements('u', p.preClamp, p.membrane);
      w.writeLine(`${clamps.length > 0 ? 'let' : 'const'} u = ${decayed === undefined ? '' : `${decayed} + `}${l}D[j]!;`);
      for (const line of clamps) w.writeLine(line);
      w.writeLine(`${l}U[j] = u;`);
      if (!neuron.fires) {
        w.writeLine(`${l}V[j] = u; // a membrane output never fires`);
        neuron.output(w);
        return;
      }
      if (fired.min > fired.max) {
        w.writeLine(`${l}V[j] = u; // u never exceeds the threshold`);
        return;
      }
      w.write(`if (u > ${op.threshold})`).block(() => {
        neuron.output(w);
        neuron.reset(w);
      });
      w.write('else').block(() => w.writeLine(`${l}V[j] = u;`));
    });
    const vis = p.out;
    const values = vis.val === undefined ? 'undefined' : vis.val;
    w.write('if (rec)').block(() => {
      w.writeLine(`rec.layers[${p.index}]!.membrane.push(Array.from(${p.visibleU}));`);
      w.writeLine(`rec.layers[${p.index}]!.output.push(dense(${units}, ${vis.idx}, ${values}, ${vis.n}));`);
    });
  };
  if (input.constant) return { once: drive, step: update };
  return { step: (w) => (drive(w), update(w)) };
}
