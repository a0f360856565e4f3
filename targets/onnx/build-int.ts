/**
 * @fileoverview The integer graph of a Program: inputs (image, seed), the encoder, the timesteps, the readout, and
 * optional per-layer traces. Every value is an exact integer, held in float64 (int-math.ts) or, for dot products
 * proven below 2^24, in float32 (exact-matmul.ts).
 *
 * Timesteps run in blocks of B (plan.ts). Nothing before the first spiking layer's membrane depends on an earlier
 * timestep, so per block the encoder (jitter-block.ts), the stateless layers before it (conv, pool) and its synapse
 * run once on all B timesteps, [B * N, ...] (the jitter block's rows image-major, the events block's timestep-major):
 * one larger GEMM instead of B small ones. Only the membranes and the later
 * layers then step one timestep at a time. A direct encoder's input is the same at every timestep, so its synapse runs
 * once for the whole inference. An events program takes `frames` [N, T, C, H, W] instead of `image`; each block reads
 * its B frames (event-block.ts).
 */
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import type { FloatType, MatMulType } from './exact-matmul.ts';
import { planOnnx } from './plan.ts';
import { convLayer } from './conv-graph.ts';
import { GraphBuilder, NameTable } from './graph-builder.ts';
import { eventBlock, eventBlockSetup } from './event-block.ts';
import { addReadout, eventInputs, graphInputs, traceOutputName } from './graph-io.ts';
import { jitterBlock, jitterBlockSetup } from './jitter-block.ts';
import type { GraphProto } from './proto.ts';
import { poolLayer } from './pool-graph.ts';
import { spikingLayer } from './spiking-graph.ts';
import { BATCH, type CarriedState, type SpikingStepLayer, type StepLayer } from './step.ts';
import { driveTimesteps, type ScanValue } from './timestep-loop.ts';

export interface BuildOptions {
  /** Adds per-layer outputs [T, N, units]: visible membrane and output at every timestep. */
  readonly traces: boolean;
  /** Unrolls the timesteps (blocks) into the main graph instead of an ONNX Loop. */
  readonly unroll: boolean;
}

export const JITTER_STATE = 'jitter/state';
const INT64 = 7;

function noState(key: string): string {
  throw new Error(`a stateless layer asked for ${key}`);
}

/** Splits the layers at the first spiking layer: the stateless ones before it, it, and the rest. */
function splitLayers(layers: readonly StepLayer[]): { before: StepLayer[]; head: SpikingStepLayer; after: StepLayer[] } {
  const at = layers.findIndex((l) => l.kind === 'spiking');
  if (at < 0) throw new Error('no spiking layer (check() refuses such programs)');
  return { before: layers.slice(0, at), head: layers[at] as SpikingStepLayer, after: layers.slice(at + 1) };
}

export function buildIntGraph(program: Program, options: BuildOptions): GraphProto {
  const g = new GraphBuilder(new NameTable(), program.name);
  const encoder = program.encoder;
  const pixelCount = program.input.shape.reduce((a, b) => a * b, 1);
  const plan = planOnnx(program);
  const block = plan.block;
  const events = encoder.kind === 'events' ? eventInputs(g, program.input.shape, program.timesteps) : undefined;
  const image = events ? undefined : graphInputs(g, program.input.shape);
  const batch = (events ?? image!).batch;
  const layers = program.layers.map((op, l): StepLayer => {
    switch (op.kind) {
      case 'conv':
        return convLayer(g, op, convMatMul(plan.layers[l]!.matmul));
      case 'pool':
        return poolLayer(g, op);
      case 'spiking':
        return spikingLayer(g, op, batch, plan.layers[l]!);
      default:
        return unreachable(op, 'layer kind');
    }
  });
  const { before, head, after } = splitLayers(layers);
  const jitter = encoder.kind === 'jitter' ? jitterBlockSetup(g, image!.bytes, image!.seed, pixelCount, encoder.jitterBits, block, program.timesteps) : undefined;
  const frames = events ? eventBlockSetup(g, events.frames, program.timesteps, block, pixelCount) : undefined;
  const states: CarriedState[] = [
    ...(jitter ? [{ key: JITTER_STATE, dtype: 'double' as const, dims: [BATCH], initial: jitter.initialState, doc: 'xorshift32 state (a uint32) at the block\'s start' }] : []),
    ...[head, ...after].flatMap((l) => l.states),
  ];
  const traceUnits = new Map<string, number>();
  const readoutKey = `readout/${program.readout.source}`;

  /** Encoder and stateless layers on `rows` rows of inputs; the trace values come back as [rows / N, N, units]. */
  const prefix = (body: GraphBuilder, x: string, trace: (key: string, value: string, units: number) => void): string => {
    trace(traceOutputName('encoder', 'x'), x, pixelCount);
    let value = x;
    for (const layer of before) {
      value = layer.step(body, value, noState).x;
      trace(traceOutputName(layer.name, 'output'), value, layer.units);
    }
    return head.drive(body, value);
  };
  // Direct encoder: the same input every timestep, so the prefix runs once, in the main graph.
  const directTraces: { key: string; value: string; units: number }[] = [];
  const directDrive = jitter || frames ? undefined : g.scope('once', () => prefix(g, toDoubleInput(g, image!.pixels), (key, value, units) => {
    if (options.traces) directTraces.push({ key, value, units });
  }));

  const stacked = driveTimesteps(g, program.timesteps, states, (body, current, call) => {
    const next: Record<string, string> = {};
    const perStep = new Map<string, string[]>();
    const blockTraces: ScanValue[] = [];
    const keep = (key: string, value: string, units: number): void => {
      if (!options.traces) return;
      traceUnits.set(key, units);
      const list = perStep.get(key) ?? [];
      list.push(value);
      perStep.set(key, list);
    };
    let drives: string[];
    if (jitter || frames) {
      let x: string;
      if (jitter) {
        const encoded = jitterBlock(body, jitter, current(JITTER_STATE), block, pixelCount);
        next[JITTER_STATE] = encoded.next;
        x = encoded.x;
      } else {
        x = eventBlock(body, frames!, call());
      }
      // The jitter block's rows are image-major (jitter-block.ts), the events block's timestep-major.
      const imageMajor = jitter !== undefined;
      const drive = prefix(body, x, (key, value, units) => {
        if (!options.traces) return;
        traceUnits.set(key, units);
        const steps = imageMajor ? body.op('Transpose', [byImage(body, value, block, units, key)], { name: `${key}@by_step`, attrs: { perm: { ints: [1, 0, 2] } } }) : byStep(body, value, block, units, key);
        blockTraces.push({ key, value: steps, dtype: body.dtypeOf(steps), doc: key });
      });
      const byT = imageMajor ? byImage(body, drive, block, head.units, 'first_drive') : byStep(body, drive, block, head.units, 'first_drive');
      drives = Array.from({ length: block }, (_, i) => body.op('Gather', [byT, body.constant('int64', i, [], `step_${i}`)], { name: `first_drive_t${i}`, attrs: { axis: { int: imageMajor ? 1 : 0 } } }));
    } else {
      drives = new Array<string>(block).fill(directDrive!);
      for (const t of directTraces) {
        traceUnits.set(t.key, t.units);
        perStep.set(t.key, new Array<string>(block).fill(t.value));
      }
    }
    const local = new Map<string, string>();
    const now = (key: string): string => local.get(key) ?? current(key);
    for (let i = 0; i < block; i++) {
      body.scope(`t${i}`, () => {
        let result = head.fromDrive(body, drives[i]!, now);
        const record = (layer: StepLayer): void => {
          for (const [key, value] of Object.entries(result.next)) local.set(key, value);
          if (result.membrane !== undefined) keep(traceOutputName(layer.name, 'membrane'), result.membrane, layer.units);
          keep(traceOutputName(layer.name, 'output'), result.x, layer.units);
        };
        record(head);
        for (const layer of after) {
          result = layer.step(body, result.x, now);
          record(layer);
        }
        const last = layers[layers.length - 1]!;
        const read = program.readout.source === 'output' ? result.x : result.membrane;
        if (read === undefined || last.kind !== 'spiking') throw new Error('the last layer is not spiking (check() refuses such programs)');
        const list = perStep.get(readoutKey) ?? [];
        list.push(read);
        perStep.set(readoutKey, list);
      });
    }
    for (const s of states) if (s.key !== JITTER_STATE) next[s.key] = now(s.key);
    const scans: ScanValue[] = [...blockTraces];
    for (const [key, values] of perStep) {
      const rows = values.length === 1 ? values[0]! : body.op('Concat', values, { name: `${key}@rows`, attrs: { axis: { int: 0 } }, doc: `[${block} * N, units]` });
      const value = byStep(body, rows, block, key === readoutKey ? program.classes : traceUnits.get(key)!, key);
      scans.push({ key, value, dtype: body.dtypeOf(value), doc: key });
    }
    return { next, scans };
  }, options.unroll, block);
  addReadout(g, stacked.get(readoutKey)!, program.readout.begin, program.timesteps, program.classes, (sum) => toInt64(g, sum, 'scores_int64'));
  for (const [key, units] of traceUnits) g.output(toInt64(g, stacked.get(key)!, `${key}@int64`), key, [program.timesteps, BATCH, units], `${key} at every timestep [T, N, ${units}]`);
  const kinds = program.layers.map((l) => `${l.name} (${l.kind})`).join(', ');
  return g.toProto(`snnc integer SNN ${program.name}: ${encoder.kind} encoder, ${kinds}; ${program.timesteps} timesteps, in blocks of ${block}${options.unroll ? ' unrolled' : ' in a Loop'}; exact integers (float64 arithmetic below 2^53, float MatMuls whose every partial sum is exact) reproducing the snnc IR (docs/ir.md)`);
}

/** A conv's MatMul type: plan.ts gives convs a float type (their im2col GEMM has the weights on the left). */
function convMatMul(type: MatMulType | undefined): FloatType {
  if (type === undefined || type === 'uint8') throw new Error(`a conv needs a float MatMul type, not ${type}`);
  return type;
}

/** [block * N, units] -> [block, N, units]. */
function byStep(g: GraphBuilder, value: string, block: number, units: number, name: string): string {
  return g.op('Reshape', [value, g.constant('int64', [block, -1, units], [3], `shape_${block}_N_${units}`)], { name: `${name}@by_step` });
}

/** [N * block, units] -> [N, block, units]. */
function byImage(g: GraphBuilder, value: string, block: number, units: number, name: string): string {
  return g.op('Reshape', [value, g.constant('int64', [-1, block, units], [3], `shape_N_${block}_${units}`)], { name: `${name}@by_image` });
}

function toDoubleInput(g: GraphBuilder, pixels: string): string {
  return g.op('Cast', [pixels], { name: 'pixels_double', attrs: { to: { int: 11 } }, dtype: 'double' });
}

function toInt64(g: GraphBuilder, value: string, name: string): string {
  return g.op('Cast', [value], { name, attrs: { to: { int: INT64 } }, dtype: 'int64' });
}
