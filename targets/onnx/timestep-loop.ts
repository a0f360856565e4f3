/**
 * @fileoverview The timestep loop: one step function, driven either by an ONNX `Loop` (default: the graph stays the
 * size of one timestep) or unrolled T times into the main graph. Per-step values to keep (the readout's membrane,
 * traces) come back stacked as [T, ...], as a Loop's scan outputs do. With `block`, one call of the step function
 * computes `block` timesteps and its scans are already stacked [block, ...]; it is driven T / block times.
 */
import type { GraphBuilder } from './graph-builder.ts';
import type { DType } from './proto.ts';
import type { CarriedState } from './step.ts';

/** A per-timestep value to stack over time. */
export interface ScanValue {
  readonly key: string;
  readonly value: string;
  readonly dtype: DType;
  readonly doc: string;
}

export interface StepOutput {
  readonly next: Readonly<Record<string, string>>;
  readonly scans: readonly ScanValue[];
}

/**
 * `call()`: an int64 scalar, the number of this call (0 .. T / block - 1): the Loop's iteration, or a constant when
 * unrolled (made only when asked for, so graphs that do not read it stay as they were).
 */
export type StepFunction = (g: GraphBuilder, current: (key: string) => string, call: () => string) => StepOutput;

/** Runs `step` T times (T / block times); returns each scan key's values stacked as [T, ...] in the main graph. */
export function driveTimesteps(g: GraphBuilder, timesteps: number, states: readonly CarriedState[], step: StepFunction, unroll: boolean, block?: number): Map<string, string> {
  const calls = timesteps / (block ?? 1);
  if (!Number.isInteger(calls)) throw new Error(`${timesteps} timesteps are not whole blocks of ${block}`);
  if (unroll) return unrolled(g, calls, states, step, block !== undefined);
  const stacked = loop(g, calls, states, step, block ?? 1);
  if (block === undefined) return stacked;
  // [T / block, block, ...] -> [T, ...]
  const flat = new Map<string, string>();
  for (const [key, value] of stacked) {
    const inner = g.op('Shape', [value], { name: `${key}@inner_dims`, attrs: { start: { int: 2 } } });
    const shape = g.op('Concat', [g.constant('int64', [timesteps], [1], `T_${timesteps}_1`), inner], { name: `${key}@shape`, attrs: { axis: { int: 0 } } });
    const reshaped = g.op('Reshape', [value, shape], { name: `${key}@by_t`, doc: `[${timesteps}, ...]` });
    g.setDtype(reshaped, g.dtypeOf(value));
    flat.set(key, reshaped);
  }
  return flat;
}

function loop(g: GraphBuilder, timesteps: number, states: readonly CarriedState[], step: StepFunction, block = 1): Map<string, string> {
  const what = block > 1 ? `block of ${block} timesteps` : 'timestep';
  const body = g.subgraph('timestep');
  const iteration = body.input('t', 'int64', [], `iteration number (the ${what})`);
  const condIn = body.input('cond_in', 'bool', [], 'loop condition (always true; the trip count is T)');
  const inputs = new Map(states.map((s) => [s.key, body.input(s.key, s.dtype, s.dims, s.doc)]));
  const out = step(body, (key) => lookup(inputs, key), () => iteration);
  body.output(condIn, 'cond_out', []);
  for (const s of states) body.output(lookup(new Map(Object.entries(out.next)), s.key), `${s.key}_next`, s.dims, `${s.doc}, for the next ${what}`);
  for (const scan of out.scans) body.output(scan.value, `${scan.key}@t`, undefined, scan.doc);
  const outputs = g.opN('Loop', [g.constant('int64', timesteps, [], `T_${timesteps}`), '', ...states.map((s) => s.initial)], {
    name: 'timesteps',
    outputs: [...states.map((s) => `${s.key}@final`), ...out.scans.map((scan) => `${scan.key}@all_t`)],
    dtype: 'int64',
    doc: `${block > 1 ? `${timesteps} blocks of ${block}` : `the ${timesteps}`} timesteps; carries ${states.map((s) => s.key).join(', ') || 'nothing'}; scans are stacked [T, ...]`,
    attrs: { body: { graph: body.toProto(`one ${what}: encoder, layers, and the values kept per step`) } },
  });
  states.forEach((s, i) => g.setDtype(outputs[i]!, s.dtype));
  const stacked = new Map<string, string>();
  out.scans.forEach((scan, i) => {
    const name = outputs[states.length + i]!;
    g.setDtype(name, scan.dtype);
    stacked.set(scan.key, name);
  });
  return stacked;
}

function unrolled(g: GraphBuilder, timesteps: number, states: readonly CarriedState[], step: StepFunction, stacked: boolean): Map<string, string> {
  let current = new Map(states.map((s) => [s.key, s.initial]));
  const perStep = new Map<string, string[]>();
  for (let t = 0; t < timesteps; t++) {
    const out = g.scope(stacked ? `block${t}` : `t${t}`, () => step(g, (key) => lookup(current, key), () => g.constant('int64', t, [], `call_${t}`)));
    current = new Map(states.map((s) => [s.key, lookup(new Map(Object.entries(out.next)), s.key)]));
    for (const scan of out.scans) {
      const list = perStep.get(scan.key) ?? [];
      list.push(stacked ? scan.value : g.op('Unsqueeze', [scan.value, g.constant('int64', [0], [1], 'axes_0')], { name: `${scan.key}@t${t}` }));
      perStep.set(scan.key, list);
    }
  }
  const all = new Map<string, string>();
  for (const [key, list] of perStep) all.set(key, list.length === 1 ? list[0]! : g.op('Concat', list, { name: `${key}@all_t`, attrs: { axis: { int: 0 } } }));
  return all;
}

function lookup(map: ReadonlyMap<string, string>, key: string): string {
  const v = map.get(key);
  if (v === undefined) throw new Error(`no carried state ${key}`);
  return v;
}
