/**
 * @fileoverview `npm run bench:scaling`: images/s of every software target (the golden runtime and every registered
 * target but verilog; PyTorch when installed) against threads (1, 2) and T (4..128), written to results/scaling.md
 * and results/figures/scaling.png.
 *
 * snnc's targets run through their own run() in worker threads (bench/throughput.ts): two threads are two workers,
 * each on half of the images. PyTorch uses its own threading (torch.set_num_threads and OpenBLAS threads).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Program } from '../ir/program.ts';
import { compileModel, compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { perCpuSecond, perWallSecond } from './compare.ts';
import { findTorchPython, pytorchTarget, runPytorch } from './pytorch.ts';
import type { Throughput } from './row.ts';
import { scalingFigure, type Curve } from './scaling-plot.ts';
import { measureThroughput, softwareTargets } from './throughput.ts';

const EXAMPLE = process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn';
const TIMESTEPS = [4, 8, 16, 32, 64, 128];
const THREADS = [1, 2];
/** Seconds of work per one-thread measurement (the two-thread one runs the same images). */
const SECONDS = Number(process.env.SNNC_SCALING_SECONDS ?? 2);
const PYTORCH_IMAGES = 4000;

const load = (): string => loadavg()[0]!.toFixed(2);
const started = Date.now();
const loadAtStart = load();

const data = loadDataset('mnist', 'test');
const size = data.image(0).length;
const pixels = new Uint8Array(data.count * size);
for (let i = 0; i < data.count; i++) pixels.set(data.image(i), i * size);

const base = await compileModelDir(EXAMPLE);
const programs = new Map<number, Program>();
for (const t of TIMESTEPS) programs.set(t, t === base.program.timesteps ? base.program : (await compileModel({ ...base.model, timesteps: t }, EXAMPLE, base.sourceSha256)).program);

const results: Throughput[] = [];
for (const name of softwareTargets()) {
  for (const t of TIMESTEPS) {
    const one = await measureThroughput(name, programs.get(t)!, pixels, { threads: 1, seconds: SECONDS });
    results.push(one);
    for (const threads of THREADS.filter((n) => n > 1)) results.push(await measureThroughput(name, programs.get(t)!, pixels, { threads, images: one.images }));
    process.stderr.write(`scaling: ${name} T=${t}: ${perWallSecond(one).toFixed(0)} images/s\n`);
  }
}

const python = findTorchPython();
let pytorchNote = '';
if ('python' in python) {
  for (const threads of THREADS) {
    const run = runPytorch(python.python, EXAMPLE, { threads, timesteps: TIMESTEPS, images: PYTORCH_IMAGES, passes: 2 });
    for (const m of run.measurements) results.push({ target: pytorchTarget(run), timesteps: m.timesteps, threads, images: m.images, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, detail: `torch ${run.torch}, batch ${run.batch}` });
    pytorchNote = `PyTorch: torch ${run.torch}, ${run.blas}, float32, OMP_WAIT_POLICY=${run.ompWaitPolicy}, best of ${run.passes} passes over ${PYTORCH_IMAGES} images in batches of ${run.batch}; its two threads are its own (torch.set_num_threads(2), OpenBLAS with 2 threads).`;
  }
} else pytorchNote = `PyTorch: not measured (${python.missing}).`;

const series = [...new Set(results.map((r) => `${r.target}\t${r.threads}`))].map((key) => {
  const [target, threads] = key.split('\t') as [string, string];
  return { target, threads: Number(threads), rows: results.filter((r) => r.target === target && r.threads === Number(threads)).sort((a, b) => a.timesteps - b.timesteps) };
});
const table = (figure: (t: Throughput) => number): string[] => [
  `| target | threads | ${TIMESTEPS.map((t) => `T=${t}`).join(' | ')} |`,
  `|---|---|${TIMESTEPS.map(() => '---').join('|')}|`,
  ...series.map((s) => `| ${s.target} | ${s.threads} | ${TIMESTEPS.map((t) => s.rows.find((r) => r.timesteps === t)).map((r) => (r ? figure(r).toFixed(0) : '-')).join(' | ')} |`),
];
const speedup = series.filter((s) => s.threads > 1).map((two) => {
  const one = series.find((s) => s.target === two.target && s.threads === 1)!;
  const ratios = TIMESTEPS.map((t) => perWallSecond(two.rows.find((r) => r.timesteps === t)!) / perWallSecond(one.rows.find((r) => r.timesteps === t)!));
  return `| ${two.target} | ${ratios.map((r) => `${r.toFixed(2)}x`).join(' | ')} |`;
});

const busy = Math.max(Number(loadAtStart), Number(load())) > cpus().length;
const doc = [
  '# Scaling: images/s against threads and timesteps',
  '',
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}. Command: \`npm run bench:scaling\` (${((Date.now() - started) / 60000).toFixed(1)} min). Model: ${EXAMPLE}, compiled at each T (the same weights), MNIST test images, seed = image index.`,
  '',
  `Machine load (1-minute load average): ${loadAtStart} at the start, ${load()} at the end, on ${cpus().length} cores. The machine is shared, so the wall-clock figures vary with other work; per CPU second they vary less.${busy ? ' The load was above the core count: a second thread found no free core, so the two-thread rows show contention, not what two idle cores give.' : ''}`,
  '',
  `How: snnc's targets run through their plug-in's run() in worker threads (bench/throughput.ts); "2 threads" is two workers, each on half of the same images as the one-thread row. Each one-thread measurement runs about ${SECONDS} s of work after a warm-up; the figure includes the setup of one run() call per worker (the ts target's program fingerprint check, an ONNX Runtime session: tens of milliseconds). ${pytorchNote}`,
  '',
  '## Images/s (wall clock)',
  '',
  ...table(perWallSecond),
  '',
  '## Images per CPU second (every thread of the process)',
  '',
  ...table(perCpuSecond),
  '',
  '## Two threads over one (wall clock)',
  '',
  `| target | ${TIMESTEPS.map((t) => `T=${t}`).join(' | ')} |`,
  `|---|${TIMESTEPS.map(() => '---').join('|')}|`,
  ...speedup,
  '',
  '![scaling](figures/scaling.png)',
  '',
].join('\n');
const curves = (figure: (t: Throughput) => number): Curve[] => series.map((s) => ({ target: s.target, threads: s.threads, points: s.rows.map((r) => [r.timesteps, figure(r)] as const) }));
mkdirSync('results/figures', { recursive: true });
scalingFigure(`SCALING: ${base.model.metadata.name.toUpperCase()}, IMAGES/S AGAINST T AND THREADS`, curves(perWallSecond), curves(perCpuSecond)).save('results/figures/scaling.png');
writeFileSync('results/scaling.md', doc);
process.stdout.write(doc);
