/**
 * @fileoverview Start-up cost: `snnc --help`, a command's --help and a mistyped flag load no heavy package (tfjs,
 * onnxruntime, h5wasm, ts-morph), because commands and those packages are imported only when used.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { commands } from '../cli/commands.ts';

const BIN = new URL('../bin/snnc.mjs', import.meta.url).pathname;
const HOOK = new URL('./support/record-imports.mjs', import.meta.url).href;
const HEAVY = ['@tensorflow', 'onnxruntime-node', 'h5wasm', 'ts-morph'] as const;

/** Runs the real executable with the import recorder; returns the exit code and the packages it loaded. */
function packagesLoaded(argv: readonly string[]): { code: number; packages: Set<string>; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(HOOK)})`, BIN, ...argv], { encoding: 'utf8' });
  const packages = new Set<string>();
  for (const m of r.stderr.matchAll(/^import: .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) packages.add(m[1]!);
  return { code: r.status ?? -1, packages, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('import: ')).join('\n') };
}

function heavyIn(packages: Set<string>): string[] {
  return [...packages].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)));
}

test('snnc --help loads no command module and no package but tsx', (t) => {
  const r = packagesLoaded(['--help']);
  t.is(r.code, 0);
  t.deepEqual([...r.packages].filter((p) => p !== 'tsx' && !p.startsWith('@esbuild') && p !== 'esbuild' && p !== 'get-tsconfig' && p !== 'resolve-pkg-maps'), []);
});

for (const argv of [['compile', '--help'], ['compile', 'examples/mnist-snn', '--wieght-bits', '4'], ['run', '--help'], ['eval', '--help'], ['ir', '--help'], ['verify', '--help'], ['import', '--help'], ['export', '--help'], ['report', '--help'], ['plot', '--help'], ['train', '--help']]) {
  test(`snnc ${argv.join(' ')} loads none of ${HEAVY.join(', ')}`, (t) => {
    const r = packagesLoaded(argv);
    t.is(r.code, argv.includes('--help') ? 0 : 2, r.stderr);
    t.deepEqual(heavyIn(r.packages), []);
  });
}

test('the table summary of each command is the summary of the command it loads', async (t) => {
  for (const entry of commands) {
    const command = await entry.load();
    t.is(command.name, entry.name);
    t.is(command.summary, entry.summary, entry.name);
  }
});
