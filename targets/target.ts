/** @fileoverview The shape of a target plug-in: every folder under targets/ exports one `target` of this type. */
import type { Model } from '../model/format.ts';
import type { Program } from '../ir/program.ts';
import type { Batch, BatchResult } from '../runtime/batch.ts';
import type { ModelTrace } from '../runtime/trace.ts';

export interface EmitOptions {
  /** Neurons updated in parallel (verilog). */
  readonly lanes?: number;
  /** `float` also exports the float model where a target supports it (onnx). */
  readonly precision?: 'int' | 'float';
  /** Extra per-layer trace outputs (onnx) or debug dumps (verilog). */
  readonly traces?: boolean;
  /** Unroll the timestep loop instead of an ONNX Loop (onnx). */
  readonly unroll?: boolean;
  /** The float model the program was compiled from, when there is one. */
  readonly model?: Model;
  readonly log?: (line: string) => void;
}

export interface EmittedFile {
  /** Relative to the target's own folder in the build directory (e.g. `model.onnx`). */
  readonly path: string;
  readonly contents: string | Uint8Array;
}

/**
 * What a target's `trace` returns: the per-layer, per-timestep part of the one trace type (runtime/trace.ts). A
 * target need not report the encoded inputs or the scores (verify compares the layers; scores come from `run`).
 */
export type TargetTrace = Pick<ModelTrace, 'layers'>;

/** How a target runs (flags of verify and report); targets ignore what does not apply to them. */
export interface RunOptions {
  /** verilog: the simulator (default: SNNC_SIMULATOR, else verilator). */
  readonly simulator?: 'verilator' | 'icarus';
  /** The number of the batch's first image in the caller's count (verify runs chunks), for messages; default 0. */
  readonly firstImage?: number;
}

/** What a target can do, declared as data by the target that owns it; the CLI takes its flag ranges from here. */
export interface TargetLimits {
  /** `lanes`: neurons (or conv filters) updated in parallel. */
  readonly lanes?: { readonly min: number; readonly max: number };
  /** Timesteps per inference. */
  readonly timesteps?: { readonly min: number; readonly max: number };
  /** `unroll`: the most timesteps an unrolled graph holds. */
  readonly unrolledTimesteps?: number;
  /** Every intermediate of the emitted computation stays below 2^exactBits. */
  readonly exactBits?: number;
}

/** What is known before lowering: the emit options and the timesteps the model (or --timesteps) asks for. */
export interface OptionsToCheck extends EmitOptions {
  readonly timesteps?: number;
}

export interface Target {
  readonly name: string;
  readonly summary: string;
  readonly limits: TargetLimits;
  /** Throws SnncError('usage', ...) for options outside `limits`; runs before any lowering work. */
  checkOptions(options: OptionsToCheck): void;
  /** Throws SnncError('unsupported', ...) naming the construct when the program cannot be emitted exactly. */
  check(program: Program): void;
  emit(program: Program, options: EmitOptions): Promise<readonly EmittedFile[]>;
  /** Runs the files that `emit` wrote to `dir` on a batch (used by verify and the tests). */
  run(dir: string, program: Program, batch: Batch, options?: RunOptions): Promise<BatchResult>;
  /**
   * What `emit` wrote into `dir` for this program, with the options recorded there; verify checks a target that runs
   * code (an import, a simulator build) against it before running it. Targets whose files are data may omit it.
   */
  reemit?(dir: string, program: Program): Promise<readonly EmittedFile[]>;
  /**
   * One inference with every layer's values of the files in `dir` as they are, so verify can name the first differing
   * layer, timestep and neuron; throws SnncError('unsupported', reason) when those files cannot be traced.
   */
  trace?(dir: string, program: Program, pixels: Uint8Array, seed: number, options?: RunOptions): Promise<TargetTrace>;
}
