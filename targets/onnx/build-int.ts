/**
 * @fileoverview The integer graph of a Program: inputs (image, seed), the encoder, the timestep loop over every layer,
 * the readout, and optional per-layer traces. Every value is an exact int64.
 */
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import { planOnnx } from './plan.ts';
import { convLayer } from './conv-graph.ts';
import { GraphBuilder, NameTable } from './graph-builder.ts';
import { graphInputs } from './graph-io.ts';
import { jitterDraws, jitterSetup } from './jitter-graph.ts';
import type { GraphProto } from './proto.ts';
import { poolLayer } from './pool-graph.ts';
import { spikingLayer } from './spiking-graph.ts';
import { BATCH, type CarriedState } from './step.ts';
import { addTimesteps } from './timestep-graph.ts';

export interface BuildOptions {
  /** Adds per-layer outputs [T, N, units]: visible membrane and output at every timestep. */
  readonly traces: boolean;
  /** Unrolls the T timesteps into the main graph instead of an ONNX Loop. */
  readonly unroll: boolean;
}

export const JITTER_STATE = 'jitter/state';

export function buildIntGraph(program: Program, options: BuildOptions): GraphProto {
  const g = new GraphBuilder(new NameTable(), program.name);
  const { pixels, seed, batch } = graphInputs(g, program.input.shape);
  const pixelCount = program.input.shape.reduce((a, b) => a * b, 1);
  const encoder = program.encoder;
  const jitter = encoder.kind === 'jitter' ? jitterSetup(g, pixels, seed, pixelCount, encoder.jitterBits) : undefined;
  const encoderStates: CarriedState[] = jitter ? [{ key: JITTER_STATE, dtype: 'int64', dims: [BATCH, 1], initial: jitter.initialState, doc: 'xorshift32 state (a uint32) at the timestep\'s start' }] : [];
  const plan = planOnnx(program);
  const layers = program.layers.map((op, l) => {
    switch (op.kind) {
      case 'conv':
        return convLayer(g, op, plan.layers[l]!.matmul!);
      case 'pool':
        return poolLayer(g, op);
      case 'spiking':
        return spikingLayer(g, op, batch, plan.layers[l]!.matmul);
      default:
        return unreachable(op, 'layer kind');
    }
  });
  addTimesteps(g, {
    timesteps: program.timesteps,
    classes: program.classes,
    readoutBegin: program.readout.begin,
    readoutSource: program.readout.source,
    pixels: pixelCount,
    layers,
    encoderStates,
    dtype: 'int64',
    traces: options.traces,
    unroll: options.unroll,
    encode(body, current, next) {
      if (encoder.kind === 'direct' || !jitter) return pixels;
      return body.scope('encoder', () => {
        // x = floor(p * r / 2^jitterBits), r = draw >>> (32 - jitterBits); all nonnegative, so Div is a floor.
        const { top: r, next: state } = jitterDraws(body, jitter, current(JITTER_STATE));
        next[JITTER_STATE] = state;
        const scaled = body.op('Mul', [pixels, r], { name: 'p_times_r', doc: 'zero pixels give 0 whatever their (unused) draw' });
        return body.op('Div', [scaled, body.constant('int64', 2 ** encoder.jitterBits)], { name: 'x', doc: `floor(p * r / 2^${encoder.jitterBits})` });
      });
    },
  });
  const kinds = program.layers.map((l) => `${l.name} (${l.kind})`).join(', ');
  return g.toProto(`snnc integer SNN ${program.name}: ${encoder.kind} encoder, ${kinds}; ${program.timesteps} timesteps ${options.unroll ? 'unrolled' : 'in a Loop'}; exact integer arithmetic (int64, and float MatMuls of integers whose every partial sum is exact) reproducing the snnc IR (docs/ir.md)`);
}
