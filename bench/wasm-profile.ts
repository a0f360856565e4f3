/**
 * @fileoverview `npx tsx bench/wasm-profile.ts [images] [example]`: where an inference of the wasm target spends its
 * time, written to results/wasm-profile.md. The module is built in its split form (each part of a timestep in a
 * function of its own, the same integers: checked against the golden runtime) and run under V8's sampling profiler;
 * each part's share is its functions' self samples. Twice: as emitted (step t+1's jitter draws inside layer 0's first
 * pass) and with the draws on their own, which prices them. The accumulation's rate is set against the synaptic
 * operations the golden runtime counts on the same images (runtime/activity.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { compileModel, compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { programSha256 } from '../ir/fingerprint.ts';
import type { Program } from '../ir/program.ts';
import { measureActivity } from '../runtime/activity.ts';
import { datasetBatch, type Batch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { buildModule, splitParts, type ModuleShape } from '../targets/wasm/build-module.ts';
import { planWasm, type WasmPlan } from '../targets/wasm/plan.ts';
import { printWasm } from '../targets/wasm/print-wasm.ts';
import { loadWasmModel, type WasmModel } from '../targets/wasm/run.ts';
import { findTorchPython, runPytorch } from './pytorch.ts';
import { wrapperSource } from '../targets/wasm/wrapper.ts';

const IMAGES = Number(process.argv[2] ?? 2000);
const EXAMPLE = process.argv[3] ?? 'examples/mnist-snn';
const OUT = process.env.SNNC_PROFILE_OUT ?? 'results/wasm-profile.md';
const SAMPLING_US = 50;
/** Seconds of inference under the profiler. */
const PROFILE_SECONDS = 4;
const TIMED_PASSES = 5;

interface Variant {
  readonly label: string;
  readonly prefetch: boolean;
}
const VARIANTS: readonly Variant[] = [
  { label: 'as emitted: step t+1 drawn inside layer 0', prefetch: true },
  { label: 'draws on their own (encode part)', prefetch: false },
];

/**
 * A module of `plan` in `shape`, loaded through its own loader, checked against the golden runtime on 20 images; with
 * the names of its functions in module order (the profile names them by index).
 */
async function loadVariant(program: Program, plan: WasmPlan, variant: Variant, shape: ModuleShape, batch: Batch): Promise<{ model: WasmModel; functions: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-wasm-profile-'));
  try {
    const module = buildModule(plan, shape);
    writeFileSync(join(dir, 'model.wasm'), printWasm(module));
    writeFileSync(join(dir, 'model.mjs'), wrapperSource(plan, programSha256(program)));
    const model = await loadWasmModel(dir, program);
    batch.images.slice(0, 20).forEach((image, n) => {
      const want = runGolden(program, image, batch.seeds[n]!);
      const got = model.infer(image, batch.seeds[n]!);
      if (got.scores.some((s, k) => s !== want.scores[k])) throw new Error(`${variant.label} (${shape}) differs from the golden runtime on image ${n}`);
    });
    return { model, functions: module.functions.map((f) => f.name) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pass(model: WasmModel, batch: Batch): void {
  for (let n = 0; n < batch.images.length; n++) model.infer(batch.images[n]!, batch.seeds[n]!);
}

/** CPU microseconds per image: the best of TIMED_PASSES passes (the one least slowed by other load). */
function cpuPerImage(model: WasmModel, batch: Batch): number {
  pass(model, batch);
  let best = Infinity;
  for (let p = 0; p < TIMED_PASSES; p++) {
    const start = process.cpuUsage();
    pass(model, batch);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / batch.images.length);
  }
  return best;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly hitCount?: number;
}

/**
 * Self samples per function of PROFILE_SECONDS of passes under the sampling profiler. V8 names a wasm function by its
 * index (`wasm-function[i]`, the module has no name section): `functions` gives the module's names in index order.
 */
async function selfSamples(model: WasmModel, batch: Batch, functions: readonly string[]): Promise<Map<string, number>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await session.post('Profiler.start');
  const until = performance.now() + 1000 * PROFILE_SECONDS;
  while (performance.now() < until) pass(model, batch);
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
  session.disconnect();
  const samples = new Map<string, number>();
  for (const node of profile.nodes) {
    const index = /^wasm-function\[(\d+)\]$/.exec(node.callFrame.functionName)?.[1];
    const name = index !== undefined ? `wasm:${functions[Number(index)] ?? index}` : node.callFrame.functionName || '(anonymous)';
    samples.set(name, (samples.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return samples;
}

/** Shares of the parts (and of begin, run, the loader and the rest) in the split module's profile. */
function partShares(plan: WasmPlan, samples: Map<string, number>): { part: string; share: number }[] {
  const parts = splitParts(plan);
  const idle = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
  const total = [...samples].filter(([name]) => !idle.has(name)).reduce((a, [, n]) => a + n, 0);
  const find = (name: string): number => samples.get(`wasm:${name}`) ?? 0;
  const rows = [
    { part: 'begin (zero the state, list the nonzero pixels, draw step 0)', share: find('begin') / total },
    ...parts.map((p) => ({ part: p.part, share: find(p.name) / total })),
    { part: 'step and run (calls, the label)', share: (find('step') + find('run')) / total },
  ];
  const named = rows.reduce((a, r) => a + r.share, 0);
  return [...rows, { part: 'loader model.mjs (copy the pixels in, the scores out) and the bench loop', share: 1 - named }];
}

/** PyTorch's images per CPU second at T=8 on one thread (bench/pytorch.ts, the bench's baseline), if installed. */
function pytorchPerCpuSecond(images: number): { perCpuSecond: number; label: string } | { missing: string } {
  const python = findTorchPython();
  if (!('python' in python)) return { missing: python.missing };
  const run = runPytorch(python.python, EXAMPLE, { threads: 1, timesteps: [8], images, passes: 3 });
  const m = run.measurements.find((r) => r.timesteps === 8)!;
  return { perCpuSecond: m.images / m.cpuSeconds, label: `torch ${run.torch}, ${run.blas}, batch ${run.batch}, float32, one thread, OMP_WAIT_POLICY=${run.ompWaitPolicy}, best of ${run.passes} passes` };
}

/** The gap to 10x PyTorch: the emitted module's time, and the accumulation's time without the draws inside it. */
function gap(inlineUs: number, accumulateUs: number, pytorch: ReturnType<typeof pytorchPerCpuSecond>): string[] {
  const perCpu = 1e6 / inlineUs;
  const ceiling = 1e6 / accumulateUs;
  if (!('perCpuSecond' in pytorch)) return ['## The gap to 10x PyTorch', '', `PyTorch: not measured (${pytorch.missing}); run bench/setup-pytorch.sh as root first.`, ''];
  const goalUs = 1e6 / (10 * pytorch.perCpuSecond);
  return [
    '## The gap to 10x PyTorch',
    '',
    `PyTorch in the same run (${pytorch.label}): ${pytorch.perCpuSecond.toFixed(0)} images per CPU second. The emitted module: ${perCpu.toFixed(0)}, ${(perCpu / pytorch.perCpuSecond).toFixed(2)}x.`,
    `10x would need ${goalUs.toFixed(2)} us per image; the accumulation alone (both layers, from the table with the draws on their own) takes`,
    `${accumulateUs.toFixed(2)} us, so with every other part at zero the module would reach`,
    `${ceiling.toFixed(0)} images per CPU second, ${(ceiling / pytorch.perCpuSecond).toFixed(2)}x.`,
    '',
    'Why the accumulation is where it is: each pair of input events adds two weight rows to the accumulators with, per 8',
    'units, two `v128.load`, two `i8x16.shuffle` (interleave the rows), two `i32x4.dot_i16x8_s` and two `i32x4.add`:',
    '16 multiply-adds in 8 SIMD instructions. Standard 128-bit wasm SIMD has no wider exact integer dot product: an int8',
    'weight times a u8 input fits i16, but a sum of two does not, so products must widen to i32 lanes before they add',
    "(`relaxed-simd`'s `i32x4.relaxed_dot_i8x16_i7x16_add_s` needs 7-bit inputs and is behind a flag in Node 20). The",
    "jitter generator is a serial chain (xorshift32, each draw needs the previous one: the IR's definition), which the",
    'emitted module hides inside the first pass of layer 0 (compare the two tables). The levers left are the update of',
    "layer 0 and begin (the rows above); together they are worth at most the ceiling's ratio, short of 10x.",
    '',
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!.toFixed(2);
  const batch = datasetBatch(loadDataset('mnist', 'test', { limit: IMAGES }));
  const compiled = await compileModelDir(EXAMPLE);
  const program = compiled.program.timesteps === 8 ? compiled.program : (await compileModel({ ...compiled.model, timesteps: 8 }, EXAMPLE, compiled.sourceSha256)).program;
  const activity = measureActivity(program, batch);
  const synops = activity.layers.map((l) => l.synops / batch.images.length);
  const lines: string[] = [];
  const emitted: { inlineUs: number; accumulateUs: number }[] = [];
  for (const variant of VARIANTS) {
    const plan = planWasm(program, { prefetch: variant.prefetch });
    const inline = (await loadVariant(program, plan, variant, 'inline', batch)).model;
    const { model: split, functions } = await loadVariant(program, plan, variant, 'split', batch);
    const inlineUs = cpuPerImage(inline, batch);
    const splitUs = cpuPerImage(split, batch);
    const shares = partShares(plan, await selfSamples(split, batch, functions));
    process.stderr.write(`wasm-profile: ${variant.label}: ${inlineUs.toFixed(2)} us inline, ${splitUs.toFixed(2)} us split\n`);
    lines.push(
      `### ${variant.label}`,
      '',
      `CPU time per image: ${inlineUs.toFixed(2)} us inline (${(1e6 / inlineUs).toFixed(0)} images per CPU second), ${splitUs.toFixed(2)} us split into part functions (the profiled form).`,
      '',
      '| part | share of samples | us per image (of the split form) |',
      '|---|---:|---:|',
      ...shares.map((s) => `| ${s.part} | ${(100 * s.share).toFixed(1)} % | ${(s.share * splitUs).toFixed(2)} |`),
      '',
    );
    const accumulate = shares.filter((s) => s.part.includes('accumulate')).map((s) => s.share * splitUs);
    emitted.push({ inlineUs, accumulateUs: accumulate.reduce((a, b) => a + b, 0) });
    if (accumulate.length === synops.filter((n) => n > 0).length) {
      const rates = accumulate.map((us, l) => `layer ${l}: ${(synops[l]! / us / 1000).toFixed(2)} synaptic operations per ns (${synops[l]!.toFixed(0)} per image)`);
      lines.push(`Accumulation rate: ${rates.join('; ')}.`, '');
    }
  }
  const pytorch = pytorchPerCpuSecond(batch.images.length);
  const doc = [
    '# Where the wasm target spends its time (issue 17)',
    '',
    `Command: \`npx tsx bench/wasm-profile.ts ${IMAGES} ${EXAMPLE}\` (${((Date.now() - started) / 60000).toFixed(1)} min). Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; 1-minute load ${loadAtStart} at the start, ${loadavg()[0]!.toFixed(2)} at the end.`,
    '',
    `Model: ${EXAMPLE} at T=8, ${batch.images.length} MNIST test images (seed = image index), one thread. The golden runtime counts`,
    `${synops.map((n, l) => `${n.toFixed(0)} synaptic operations per image in layer ${l}`).join(' and ')} (runtime/activity.ts: one per nonzero input per unit).`,
    '',
    `How: the module is built split, one function per part of a timestep (targets/wasm/build-module.ts \`buildModule(plan, 'split')\`, the`,
    'same integers as the emitted module: checked against the golden runtime on 20 images), and run under V8\'s sampling',
    `profiler (node:inspector, one sample per ${SAMPLING_US} us, ${PROFILE_SECONDS} s of passes over the images); a part's share is its function's self samples over all`,
    'samples of the inference. Twice: as emitted, and with the jitter draws in a part of their own, which prices them.',
    '',
    ...lines,
    ...gap(emitted[0]!.inlineUs, emitted[1]!.accumulateUs, pytorch),
  ];
  writeFileSync(OUT, `${doc.join('\n')}\n`);
  console.log(`wrote ${OUT}`);
}

await main();
