/**
 * @fileoverview One timestep of an SNN graph (encoder, then every layer), driven over all timesteps, with the readout
 * and trace outputs. Shared by the integer graph and the float graph; they differ in the layers and encoder given.
 */
import type { GraphBuilder } from './graph-builder.ts';
import { addReadout, traceOutputName } from './graph-io.ts';
import type { DType } from './proto.ts';
import { BATCH, type CarriedState, type StepLayer } from './step.ts';
import { driveTimesteps, type ScanValue } from './timestep-loop.ts';

export interface TimestepGraph {
  readonly timesteps: number;
  readonly classes: number;
  readonly readoutBegin: number;
  /** What the scores sum: the last layer's visible membrane, or its visible output. */
  readonly readoutSource: 'membrane' | 'output';
  readonly pixels: number;
  readonly layers: readonly StepLayer[];
  /** Encoder states (the jitter generator's), carried before the layers'. */
  readonly encoderStates: readonly CarriedState[];
  /** x_t in the step graph; sets the encoder's carried states in `next`. */
  readonly encode: (g: GraphBuilder, current: (key: string) => string, next: Record<string, string>) => string;
  /** Element type of the layers' values (int64, or double for the float model). */
  readonly dtype: DType;
  readonly traces: boolean;
  readonly unroll: boolean;
  /** Rescales the summed scores (the float model's `mean` readout). */
  readonly finishScores?: (g: GraphBuilder, sum: string) => string;
}

/** Adds the timesteps, the `scores` and `label` outputs, and with `traces` the `trace/...` outputs [T, N, units]. */
export function addTimesteps(g: GraphBuilder, spec: TimestepGraph): void {
  const states = [...spec.encoderStates, ...spec.layers.flatMap((l) => l.states)];
  const traceUnits = new Map<string, number>();
  const readoutKey = `readout/${spec.readoutSource}`;
  const stacked = driveTimesteps(g, spec.timesteps, states, (body, current) => {
    const next: Record<string, string> = {};
    const scans: ScanValue[] = [];
    const trace = (key: string, value: string, units: number, doc: string): void => {
      if (!spec.traces) return;
      traceUnits.set(key, units);
      scans.push({ key, value, dtype: body.dtypeOf(value), doc });
    };
    let x = spec.encode(body, current, next);
    trace(traceOutputName('encoder', 'x'), x, spec.pixels, 'encoded input x_t');
    let membrane: string | undefined;
    for (const layer of spec.layers) {
      const result = layer.step(body, x, current);
      Object.assign(next, result.next);
      x = result.x;
      membrane = result.membrane;
      if (membrane !== undefined) trace(traceOutputName(layer.name, 'membrane'), membrane, layer.units, `${layer.name}: visible membrane u`);
      trace(traceOutputName(layer.name, 'output'), x, layer.units, `${layer.name}: visible output`);
    }
    if (membrane === undefined) throw new Error('the last layer is not spiking: nothing to read out (check() refuses such programs)');
    const summed = spec.readoutSource === 'output' ? x : membrane;
    scans.push({ key: readoutKey, value: summed, dtype: spec.dtype, doc: `the last spiking layer's visible ${spec.readoutSource}, for the readout` });
    return { next, scans };
  }, spec.unroll);
  addReadout(g, stacked.get(readoutKey)!, spec.readoutBegin, spec.timesteps, spec.classes, (sum) => spec.finishScores?.(g, sum) ?? sum);
  for (const [key, units] of traceUnits) g.output(stacked.get(key)!, key, [spec.timesteps, BATCH, units], `${key} at every timestep [T, N, ${units}]`);
}
