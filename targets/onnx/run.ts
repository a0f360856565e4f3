/**
 * @fileoverview Running an emitted model in onnxruntime-node (CPU), in chunks of images. onnxruntime-node is imported
 * lazily, so loading the target table does not load the native runtime.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult } from '../../runtime/batch.ts';
import { checkSample } from '../../runtime/sample.ts';
import { MODEL_FILE } from './emit.ts';
import { FRAMES_INPUT, IMAGE_INPUT, LABEL_OUTPUT, SCORES_OUTPUT, SEED_INPUT } from './graph-io.ts';

export interface SessionOptions {
  /** ONNX Runtime intra-op threads (default 1: the machine is shared, and the graphs are small). */
  readonly threads?: number;
  /** Images per session run (default 64). */
  readonly chunk?: number;
}

export interface RawRun {
  /** Every output of one run, as plain numbers, by output name. */
  readonly outputs: ReadonlyMap<string, { readonly dims: readonly number[]; readonly data: readonly number[] }>;
}

let runtimeStarted = false;

/** The dims of one sample of `program`: an image [C, H, W], or an events program's frames [T, C, H, W]. */
export function sampleDims(program: Program): readonly number[] {
  return program.encoder.kind === 'events' ? [program.timesteps, ...program.input.shape] : program.input.shape;
}

/** Refuses, in one line, a sample the golden runtime would refuse (a wrong length, an event count above the input type). */
export function checkSamples(program: Program, samples: readonly Uint8Array[]): void {
  samples.forEach((sample, i) => {
    try {
      checkSample(program, sample);
    } catch (e) {
      throw new SnncError('data', `sample ${i}: ${(e as Error).message}`);
    }
  });
}

/**
 * Creates a session. The first one in a process starts ONNX Runtime's environment, whose bundled telemetry library
 * writes `.ses` and `mat-debug-<pid>.log` into the temp folder and never reads them again: those of the two that did
 * not exist before are removed right after (a `.ses` that was already there belongs to someone else and stays).
 */
async function createSession(ort: typeof import('onnxruntime-node'), bytes: Uint8Array, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  if (runtimeStarted) return ort.InferenceSession.create(bytes, options);
  const litter = ['.ses', `mat-debug-${process.pid}.log`].map((name) => join(tmpdir(), name)).filter((file) => !existsSync(file));
  try {
    const session = await ort.InferenceSession.create(bytes, options);
    runtimeStarted = true;
    return session;
  } finally {
    for (const file of litter) rmSync(file, { force: true });
  }
}

/** An open ONNX Runtime session over one model file. */
export class OnnxModelSession {
  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: InferenceSession,
    /** One sample's dims: [C, H, W] for the `image` input, [T, C, H, W] for `frames` (sampleDims). */
    private readonly sampleShape: readonly number[],
    private readonly chunk: number,
  ) {}

  static async open(file: string, sampleShape: readonly number[], options: SessionOptions = {}): Promise<OnnxModelSession> {
    if (!existsSync(file)) throw new SnncError('io', `${file} does not exist; emit the onnx target first`);
    return OnnxModelSession.fromBytes(readFileSync(file), file, sampleShape, options);
  }

  /** A session over model bytes; `what` names them in errors. */
  static async fromBytes(bytes: Uint8Array, what: string, sampleShape: readonly number[], options: SessionOptions = {}): Promise<OnnxModelSession> {
    const ort = await import('onnxruntime-node');
    try {
      const session = await createSession(ort, bytes, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
        // Idle intra-op threads sleep instead of spinning: the machine is shared (as OMP_WAIT_POLICY=PASSIVE for BLAS).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      return new OnnxModelSession(ort, session, sampleShape, options.chunk ?? 64);
    } catch (e) {
      throw new SnncError('tool', `onnxruntime could not load ${what}: ${String(e).split('\n')[0]}`);
    }
  }

  /** The model's output names (`scores`, `label`, and `trace/...` when emitted with traces). */
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs samples [n] (images, or an events model's frames) with seeds [n] and returns every output (used by traces). */
  async runRaw(images: readonly Uint8Array[], seeds: readonly number[]): Promise<RawRun> {
    const size = this.sampleShape.reduce((a, b) => a * b, 1);
    const n = images.length;
    const pixels = new Uint8Array(n * size);
    images.forEach((img, i) => {
      if (img.length !== size) throw new SnncError('data', `sample ${i} has ${img.length} values, the model wants ${size} (${this.sampleShape.join('x')})`);
      pixels.set(img, i * size);
    });
    const seedData = BigInt64Array.from(seeds, (s) => BigInt(s));
    const input = this.session.inputNames.includes(FRAMES_INPUT) ? FRAMES_INPUT : IMAGE_INPUT;
    const feeds: Record<string, Tensor> = {
      [input]: new this.ort.Tensor('uint8', pixels, [n, ...this.sampleShape]),
      [SEED_INPUT]: new this.ort.Tensor('int64', seedData, [n]),
    };
    const results = await this.session.run(feeds);
    const outputs = new Map<string, { dims: readonly number[]; data: readonly number[] }>();
    for (const [name, tensor] of Object.entries(results)) {
      const data = tensor.data;
      const numbers = data instanceof BigInt64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<number>, Number);
      outputs.set(name, { dims: tensor.dims, data: numbers });
    }
    return { outputs };
  }

  /** Scores and labels of a batch, run `chunk` images at a time. */
  async run(batch: Batch): Promise<BatchResult> {
    if (batch.images.length !== batch.seeds.length) throw new SnncError('usage', `${batch.images.length} images but ${batch.seeds.length} seeds`);
    const scores: number[][] = [];
    const labels: number[] = [];
    for (let start = 0; start < batch.images.length; start += this.chunk) {
      const end = Math.min(start + this.chunk, batch.images.length);
      const { outputs } = await this.runRaw(batch.images.slice(start, end), batch.seeds.slice(start, end));
      const s = outputs.get(SCORES_OUTPUT)!;
      const classes = s.dims[1]!;
      for (let i = 0; i < end - start; i++) scores.push(s.data.slice(i * classes, (i + 1) * classes));
      labels.push(...outputs.get(LABEL_OUTPUT)!.data);
    }
    return { scores, labels };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** The target's `run`: one ONNX Runtime session over `dir`'s model.onnx for the whole batch. */
export async function runOnnx(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
  checkSamples(program, batch.images);
  const session = await OnnxModelSession.open(join(dir, MODEL_FILE), sampleDims(program));
  try {
    return await session.run(batch);
  } finally {
    await session.close();
  }
}
