/**
 * @fileoverview The code of a spiking layer in the generated model's `run` function: the drive (identity, dense, or
 * lane-packed synapse, input events grouped per pass), the membrane update, firing, output and reset. Every formula is
 * docs/ir.md's; the plan says which integer operators are exact.
 */
import type { CodeBlockWriter } from 'ts-morph';
import { formatType, type IntType } from '../../ir/int-type.ts';
import { unreachable } from '../../ir/registry.ts';
import { accumulate, clampStatements, roundShiftExpr, scaleByExpr } from './expr.ts';
import { blockDrive, blockRow, unpackLanes } from './layer-block.ts';
import { forEachEvent, pushEvent, type LayerCode } from './layer-code.ts';
import { factorRange, foldFactor, type SpikingPlan, type Stream } from './plan.ts';
import { clampRange, intersect, rangeOf, roundShiftRange, type ArrayKind, type Range } from './ranges.ts';

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

/**
 * rec_j << recurrent.accShift_j from this layer's outputs of step t-1, event-driven: a unit silent at t-1 adds nothing.
 * Runs before the update (and a delay-1 swap), while the layer's own event buffers still hold step t-1's outputs.
 */
function recurrentDrive(w: CodeBlockWriter, p: SpikingPlan): void {
  const rec = p.recurrent!;
  const l = p.prefix;
  w.writeLine(`// ${p.op.name}: recurrent synapse, rec = sum over this layer's outputs of the previous step of (w << accShift) * o.`);
  w.writeLine(`${l}Rec.fill(0);`);
  eventGroups(w, p.own, `${l}Rec`, `${l}RecW`, p.op.units, rec.kind);
}

/** The statements computing u (before its clamp): from the drive and rec, or through the synaptic current c. */
function membraneInput(w: CodeBlockWriter, p: SpikingPlan, decayed: string | undefined, clamped: boolean): void {
  const l = p.prefix;
  const rec = p.recurrent ? ` + ${l}Rec[j]!` : '';
  const declare = clamped ? 'let' : 'const';
  const current = p.current;
  if (!current) {
    w.writeLine(`${declare} u = ${decayed === undefined ? '' : `${decayed} + `}${l}D[j]!${rec};`);
    return;
  }
  const kept = scaleByExpr(`${l}C[j]!`, current.decay, current.range);
  const clamps = clampStatements('c', current.preClamp, current.range);
  w.writeLine(`${clamps.length > 0 ? 'let' : 'const'} c = ${kept === undefined ? '' : `${kept} + `}${l}D[j]!${rec};`);
  for (const line of clamps) w.writeLine(line);
  w.writeLine(`${l}C[j] = c;`);
  const bias = p.op.bias.some((b) => b !== 0) ? ` + ${l}MemBias[j]!` : '';
  w.writeLine(`${declare} u = ${decayed === undefined ? '' : `${decayed} + `}c${bias};`);
}

/** A spiking layer's code; `block` > 1: its drive comes from blockDrive (layer-block.ts), one row per timestep. */
export function spikingCode(p: SpikingPlan, block = 1): LayerCode {
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
    unpackLanes(w, p, '');
  };
  const u = intersect(p.preClamp, p.membrane);
  const fired = { min: Math.max(u.min, op.threshold + 1), max: u.max };
  const decayed = scaleByExpr(`${l}V[j]!`, p.decay, p.state);
  // A membrane output integrates and never fires; every other output fires and resets.
  const neuron = op.output.kind === 'membrane'
    ? { fires: false as const, output: membraneOutputLines(p, op.output.shift, op.output.type, clampRange(p.preClamp, p.membrane)) }
    : { fires: true as const, output: outputLines(p, fired), reset: resetLines(p, fired) };
  const update = (w: CodeBlockWriter): void => {
    if (p.recurrent) recurrentDrive(w, p);
    if (op.delay === 1) swapDelayed(w, p);
    w.writeLine(op.output.kind === 'membrane'
      ? `// ${op.name}: membrane ${formatType(op.membraneType)}, membrane output (never fires), shift ${op.output.shift}, out ${formatType(op.output.type)}.`
      : `// ${op.name}: membrane ${formatType(op.membraneType)}, threshold ${op.threshold}, ${op.output.kind} output, ${op.reset.kind} reset.`);
    w.writeLine(`${l}N = 0;`);
    w.write(`for (let j = 0; j < ${units}; j++)`).block(() => {
      const clamps = clampStatements('u', p.preClamp, p.membrane);
      membraneInput(w, p, decayed, clamps.length > 0);
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
  if (block > 1) return { block: blockDrive(p, block), step: (w) => (blockRow(w, p), update(w)) };
  if (input.constant) return { once: drive, step: update };
  return { step: (w) => (drive(w), update(w)) };
}
