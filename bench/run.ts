/**
 * @fileoverview `npm run bench`: every target's benchmark (spine, ts, onnx, verilog), printed and written to
 * results/bench.md with the machine, the tool versions and the load it ran under.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { simulatorVersion } from '../targets/verilog/run.ts';
import type { BenchRow } from './row.ts';
import { benchSpine } from './spine.ts';
import { benchTsExample } from './ts-target.ts';
import { benchOnnxTarget } from './onnx-target.ts';
import { benchVerilogTarget } from './verilog-target.ts';

const EXAMPLE = process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn';
const IMAGES = Number(process.env.SNNC_BENCH_IMAGES ?? 2000);

const sections: readonly [string, () => Promise<BenchRow[]>][] = [
  ['spine', () => benchSpine(EXAMPLE, IMAGES)],
  ['ts target', () => benchTsExample(EXAMPLE, IMAGES)],
  ['onnx target', () => benchOnnxTarget(EXAMPLE, IMAGES)],
  ['verilog target', () => benchVerilogTarget(EXAMPLE, IMAGES)],
];

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
  'No comparison with another tool is shown: the fixed "PyTorch reference" of 89 images/s that stood here was never',
  'measured in the same run, so its ratio is gone until a measured baseline replaces it (issue 17).',
  '',
  `Machine load (1-minute load average at the start and end of each section): ${loads.join('; ')}.`,
  '',
  '| what | figure | detail |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.what} | ${r.figure} | ${r.detail} |`),
  '',
].join('\n');
process.stdout.write(table);
mkdirSync('results', { recursive: true });
writeFileSync('results/bench.md', table);
