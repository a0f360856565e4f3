/**
 * @fileoverview What a NIR file cannot say about an snnc model (input spec, encoder, timesteps, readout, model
 * metadata, the dt of the export) travels in the graph metadata as one JSON string "snnc"; import takes it from
 * there, from flags, or from defaults, in that order of precedence: flags, file, defaults.
 */
import { basename } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import type { Encoder, InputSpec, ModelMetadata, Readout } from '../../../model/format.ts';
import { IMAGE_DEFAULTS, resolveInput, type InputOptions } from './input-spec.ts';
import { modelNameProblem } from '../../../model/model-name.ts';
import type { NirGraph } from './graph.ts';

/** Graph metadata key of our JSON head. */
export const SNNC_METADATA_KEY = 'snnc';
/** Node metadata key recording a reset NIR's primitives cannot state ("subtract": v := v - v_threshold). */
export const RESET_METADATA_KEY = 'reset';
/** Node metadata key with the exact decay when no float64 tau gives it as 1 - dt/tau (decays below 0.5). */
export const DECAY_METADATA_KEY = 'snnc_decay';
/** How far the metadata decay may sit from 1 - dt/tau: the rounding of that expression, a few ulps of 1. */
export const DECAY_METADATA_TOLERANCE = 4 * Number.EPSILON;

/** Defaults for files from other tools (the input's: input-spec.ts). */
export const NIR_DEFAULTS = { dt: 1, ...IMAGE_DEFAULTS };

export interface SnncHead {
  readonly dt: number;
  readonly metadata: ModelMetadata;
  readonly input: InputSpec;
  readonly encoder: Encoder;
  readonly timesteps: number;
  readonly readout: Readout;
  /** Conv layers with `learned: false` (fixed banks). */
  readonly fixedConvs: readonly string[];
}

export interface NirImportOptions extends InputOptions {
  readonly dt?: number;
  readonly readout?: 'membrane' | 'output';
  /** 'subtract': every firing neuron resets by subtraction (snnTorch's and Sinabs's default, which NIR cannot record). */
  readonly reset?: 'file' | 'subtract';
  readonly name?: string;
}

export function encodeHead(head: SnncHead): string {
  return JSON.stringify({ format: 'snnc-nir-head', version: 1, ...head });
}

/** The head our exporter wrote, or undefined for files from other tools. */
export function decodeHead(graph: NirGraph, file: string): Partial<SnncHead> | undefined {
  const raw = graph.metadata.get(SNNC_METADATA_KEY);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== 'snnc-nir-head') {
    throw new SnncError('model', `${file}: graph metadata "${SNNC_METADATA_KEY}" is not an snnc head (JSON with format "snnc-nir-head")`);
  }
  const { format: _f, version: _v, ...head } = parsed as Record<string, unknown>;
  return head as Partial<SnncHead>;
}

/**
 * The model name of an import: the one given (flag or the file's head), refused unless it is a safe file name (it
 * names the default build folder), else the file's base name made safe (other characters become "_").
 */
export function importedModelName(given: unknown, file: string): string {
  if (given !== undefined) {
    const name = typeof given === 'string' ? given : '';
    const problem = typeof given === 'string' ? modelNameProblem(name) : 'is not a string';
    if (problem) throw new SnncError('model', `${file}: model name ${JSON.stringify(given)} ${problem}`);
    return name;
  }
  const safe = basename(file).replace(/\.nir$/i, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_').replace(/^[._-]+/, '').slice(0, 64);
  return safe === '' ? 'nir-model' : safe;
}

/**
 * The head of an import: dt, metadata and readout from flags, the file's head, or defaults (in that order); the input
 * spec, encoder and timesteps from the Input node `input` as input-spec.ts resolves them.
 */
export function resolveHead(head: Partial<SnncHead> | undefined, options: NirImportOptions, file: string, input: { readonly name: string; readonly shape: readonly number[] }): Omit<SnncHead, 'readout'> & { readout?: Readout } {
  const resolved = resolveInput(input.shape, head, options, file, input.name);
  const dataset = resolved.dataset;
  const dt = options.dt ?? head?.dt ?? NIR_DEFAULTS.dt;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new SnncError('usage', `--dt: must be a positive number, got ${dt}`);
  const name = importedModelName(options.name ?? head?.metadata?.name, file);
  const metadata: ModelMetadata = head?.metadata
    ? { ...head.metadata, name, dataset }
    : { name, dataset, arch: 'nir', seed: 0, trainCommand: `unknown (imported from NIR file ${basename(file)})`, notes: `imported from NIR with dt = ${dt}` };
  const readout = options.readout !== undefined
    ? { kind: head?.readout?.kind ?? 'sum', ...(options.readout === 'output' ? { source: 'output' as const } : {}), begin: head?.readout?.begin ?? 0 }
    : head?.readout;
  return {
    dt,
    metadata,
    input: resolved.input,
    encoder: resolved.encoder,
    timesteps: resolved.timesteps,
    ...(readout ? { readout } : {}),
    fixedConvs: head?.fixedConvs ?? [],
  };
}
