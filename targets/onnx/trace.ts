/**
 * @fileoverview One inference's per-layer, per-timestep values from ONNX Runtime, shaped like the golden trace. A model
 * emitted without `traces` has no trace outputs, so a traced twin is built in memory: the same construction with extra
 * outputs, carrying the constants (initializers) of the model on disk, so that an edited weight is traced as it is.
 * When the graph on disk differs from the one ir.json emits in more than its constants, no twin can be built and the
 * trace is refused with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { TargetTrace } from '../target.ts';
import { MAX_UNROLLED_TIMESTEPS } from './check.ts';
import { emitOnnxModels, MODEL_FILE } from './emit.ts';
import { traceOutputName } from './graph-io.ts';
import { onnx, type ModelProto } from './proto.ts';
import { checkSamples, OnnxModelSession, sampleDims, type RawRun } from './run.ts';

/** Splits a [T, 1, units] output into T rows. */
function perTimestep(run: RawRun, name: string, timesteps: number): number[][] {
  const out = run.outputs.get(name);
  if (!out) return [];
  const units = out.dims[2]!;
  return Array.from({ length: timesteps }, (_, t) => out.data.slice(t * units, (t + 1) * units));
}

/** The model's bytes with every initializer's values removed (names, types and shapes kept): its structure. */
function structureOf(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  for (const init of model.graph?.initializer ?? []) {
    init.rawData = new Uint8Array(0);
    init.int64Data = [];
    init.int32Data = [];
    init.floatData = [];
    init.doubleData = [];
    init.uint64Data = [];
  }
  return onnx.ModelProto.encode(model).finish();
}

/** The traced twin of `disk` with disk's initializers, or undefined when disk's graph is not one ir.json emits. */
function tracedTwin(program: Program, disk: Uint8Array): Uint8Array | undefined {
  const shape = structureOf(disk);
  for (const unroll of [false, true]) {
    if (unroll && program.timesteps > MAX_UNROLLED_TIMESTEPS) continue;
    const [plain] = emitOnnxModels(program, { unroll });
    if (Buffer.compare(structureOf(plain!.contents as Uint8Array), shape) !== 0) continue;
    const traced: ModelProto = onnx.ModelProto.decode(emitOnnxModels(program, { unroll, traces: true })[0]!.contents as Uint8Array);
    const inits = traced.graph?.initializer ?? [];
    for (const init of onnx.ModelProto.decode(disk).graph?.initializer ?? []) {
      const at = inits.findIndex((i) => i.name === init.name);
      if (at < 0) return undefined;
      inits[at] = init;
    }
    return onnx.ModelProto.encode(traced).finish();
  }
  return undefined;
}

export async function traceOnnx(dir: string, program: Program, pixels: Uint8Array, seed: number): Promise<TargetTrace> {
  const file = join(dir, MODEL_FILE);
  if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the onnx target first`);
  checkSamples(program, [pixels]);
  const disk = readFileSync(file);
  let session = await OnnxModelSession.fromBytes(disk, file, sampleDims(program));
  const wanted = traceOutputName(program.layers[0]?.name ?? '', 'output');
  if (!session.outputNames.includes(wanted)) {
    await session.close();
    const twin = tracedTwin(program, disk);
    if (!twin) throw new SnncError('unsupported', `${MODEL_FILE}'s graph differs from the one ir.json emits in more than its constants, so no traced twin can be built from it`);
    session = await OnnxModelSession.fromBytes(twin, `${file} (traced twin)`, sampleDims(program));
  }
  try {
    const run = await session.runRaw([pixels], [seed]);
    return {
      layers: program.layers.map((op) => ({
        name: op.name,
        kind: op.kind,
        membrane: op.kind === 'spiking' ? perTimestep(run, traceOutputName(op.name, 'membrane'), program.timesteps) : [],
        output: perTimestep(run, traceOutputName(op.name, 'output'), program.timesteps),
      })),
    };
  } finally {
    await session.close();
  }
}
