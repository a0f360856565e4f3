/** @fileoverview `npm run bench`: every benchmark, printed and written to results/bench.md with the machine it ran on. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchRow } from './row.ts';
import { benchSpine } from './spine.ts';
import { benchTsExample } from './ts-target.ts';
import { benchOnnxTarget } from './onnx-target.ts';

const EXAMPLE = process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn';
const IMAGES = Number(process.env.SNNC_BENCH_IMAGES ?? 2000);

const sections: readonly [string, () => Promise<BenchRow[]>][] = [
  ['spine', () => benchSpine(EXAMPLE, IMAGES)],
  ['ts target', () => benchTsExample(EXAMPLE, IMAGES)],
  ['onnx target', () => benchOnnxTarget(EXAMPLE, IMAGES)],
];

const rows: BenchRow[] = [];
for (const [name, run] of sections) {
  process.stderr.write(`bench: ${name}\n`);
  rows.push(...(await run()));
}
const table = [
  `# Benchmarks`,
  '',
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}. Command: \`npm run bench\`.`,
  '',
  '| what | figure | detail |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.what} | ${r.figure} | ${r.detail} |`),
  '',
].join('\n');
process.stdout.write(table);
mkdirSync('results', { recursive: true });
writeFileSync('results/bench.md', table);
