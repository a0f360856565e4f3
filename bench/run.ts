/**
 * @fileoverview `npm run bench`: every target's benchmark (spine, ts, onnx, wasm, verilog) and the PyTorch baseline, printed
 * and written to results/bench.md with the machine, the tool versions, the load it ran under, and the comparison of
 * every software target with the best PyTorch configuration measured in the same run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { compileModel, compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { simulatorVersion } from '../targets/verilog/run.ts';
import { COMPARED_TIMESTEPS, comparisonTable, throughputKey } from './compare.ts';
import { recordedThroughput, recordThroughput, type BenchRow } from './row.ts';
import { measureThroughput, softwareTargets } from './throughput.ts';

const EXAMPLE = process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn';
const IMAGES = Number(process.env.SNNC_BENCH_IMAGES ?? 2000);

/**
 * One line per section; a section records its throughput figures with recordThroughput (bench/row.ts). A new one:
 * `['wasm target', async () => (await import('./wasm-target.ts')).benchWasmTarget(EXAMPLE, IMAGES)],`
 */
const sections: readonly [string, () => Promise<BenchRow[]>][] = [
  ['spine', async () => (await import('./spine.ts')).benchSpine(EXAMPLE, IMAGES)],
  ['ts target', async () => (await import('./ts-target.ts')).benchTsExample(EXAMPLE, IMAGES)],
  ['onnx target', async () => (await import('./onnx-target.ts')).benchOnnxTarget(EXAMPLE, IMAGES)],
  ['wasm target', async () => (await import('./wasm-target.ts')).benchWasmTarget(EXAMPLE, IMAGES)],
  ['verilog target', async () => (await import('./verilog-target.ts')).benchVerilogTarget(EXAMPLE, IMAGES)],
  ['pytorch', async () => (await import('./pytorch.ts')).benchPytorch(EXAMPLE, IMAGES)],
  ['comparison fill-in', () => fillComparison()],
];

/**
 * Every software target (golden and the registry's) at each compared T on one thread that no section above measured,
 * through the target's own run() (bench/throughput.ts), so the comparison has a row for each.
 */
async function fillComparison(): Promise<BenchRow[]> {
  const done = new Set(recordedThroughput().map((t) => throughputKey(t.target, t.timesteps, t.threads)));
  const data = loadDataset('mnist', 'test', { limit: IMAGES });
  const pixels = new Uint8Array(data.count * data.image(0).length);
  for (let i = 0; i < data.count; i++) pixels.set(data.image(i), i * data.image(0).length);
  const base = await compileModelDir(EXAMPLE);
  const rows: BenchRow[] = [];
  for (const timesteps of COMPARED_TIMESTEPS) {
    const missing = softwareTargets().filter((name) => !done.has(throughputKey(name, timesteps, 1)));
    if (missing.length === 0) continue;
    const program = timesteps === base.program.timesteps ? base.program : (await compileModel({ ...base.model, timesteps }, EXAMPLE, base.sourceSha256)).program;
    for (const name of missing) {
      const t = await measureThroughput(name, program, pixels, { threads: 1 });
      recordThroughput(t);
      rows.push({ what: `${name}, T=${timesteps} (comparison fill-in)`, figure: `${(t.images / t.wallSeconds).toFixed(0)} images/s`, detail: `${(t.images / t.cpuSeconds).toFixed(0)} images per CPU second; ${t.images} images; ${t.detail}` });
    }
  }
  return rows;
}

/** The installed version of an npm package, read from its package.json. */
function packageVersion(name: string): string {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** The 1-minute load average: other processes on the machine slow every wall-clock figure. */
const load = (): string => loadavg()[0]!.toFixed(2);

const rows: BenchRow[] = [];
const loads: string[] = [];
const started = Date.now();
for (const [name, run] of sections) {
  process.stderr.write(`bench: ${name}\n`);
  const before = load();
  const sectionStart = Date.now();
  rows.push(...(await run()));
  loads.push(`${name} ${before} -> ${load()} (${((Date.now() - sectionStart) / 1000).toFixed(0)} s)`);
}
const table = [
  `# Benchmarks`,
  '',
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}. Command: \`npm run bench\` (${((Date.now() - started) / 60000).toFixed(1)} min).`,
  '',
  `Tools: onnxruntime-node ${packageVersion('onnxruntime-node')}, ${simulatorVersion('verilator')}.`,
  '',
  `Machine load (1-minute load average at the start and end of each section): ${loads.join('; ')}.`,
  '',
  '## Software targets against PyTorch (same run, same model, MNIST test images)',
  '',
  'PyTorch runs the same float model (bench/pytorch/, batched float32 matrix products, OMP_WAIT_POLICY=PASSIVE); the',
  'snnc targets run the 8-bit fixed-point program compiled from it. The ratio is images per CPU second over those of',
  'the best PyTorch row at the same T (in bold): CPU time counts every thread of the process and is less sensitive to',
  'other load than the wall clock. Rows on two threads count the CPU time their threads spend waiting (PyTorch:',
  "OpenMP's and OpenBLAS's worker threads). Threads against T for every target: results/scaling.md.",
  '',
  ...comparisonTable(recordedThroughput()),
  '',
  'Why the wasm target is not 10x PyTorch (the goal of issue 17): results/wasm-profile.md.',
  '',
  '## Every figure',
  '',
  '| what | figure | detail |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.what} | ${r.figure} | ${r.detail} |`),
  '',
].join('\n');
process.stdout.write(table);
mkdirSync('results', { recursive: true });
writeFileSync('results/bench.md', table);
