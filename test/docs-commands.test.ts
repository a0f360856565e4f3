/**
 * @fileoverview Every command the docs show works as written, with the relative paths they use. Each documentation
 * file's concrete commands run in order (a later one may use an earlier one's output) through the real executable,
 * with the cwd at a scratch copy of the repository root (examples/, results/): the docs' training and plot commands
 * write into examples/ and results/figures/, which CI must not change. A command too long for CI runs shrunk by one
 * reviewed rule in SUBSTITUTIONS (same flags and paths, fewer images or epochs), or is only checked (its flags and
 * paths) where the rule says why; syntax lines with placeholders have their command and flag names checked. A rule
 * that matches no documented command fails, so the table cannot outlive the docs.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../cli/commands.ts';
import { parseArgs } from '../cli/args.ts';
import { documentationFiles, documentedCommands, splitArgs, type DocCommand } from './support/doc-commands.ts';
import { snntorchMlp, writeRawNir } from './support/nir-build.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/snnc.mjs');
/** A documented command taking longer than this needs a rule in SUBSTITUTIONS. */
const COMMAND_TIMEOUT_MS = 240_000;

interface Substitution {
  readonly match: RegExp;
  readonly why: string;
  /** The command CI runs instead; absent: the command's flags and input paths are checked, it is not run. */
  readonly run?: (command: string) => string;
}

/** The reviewed table: each rule keeps the command's flags and paths and shrinks only its size. */
const SUBSTITUTIONS: readonly Substitution[] = [
  {
    match: /--dataset cifar10|^eval examples\/cifar10-/,
    why: 'CIFAR-10 (170 MB) is not fetched in CI; its training and evaluation take hours',
  },
  {
    match: /--dataset mnist-dvs-sim|^(?:eval|compile|plot raster) examples\/mnist-dvs-sim-|^data fetch mnist-dvs-sim$/,
    why: 'mnist-dvs-sim (1.3 GB, 10-25 minutes of emulation here) is not made in CI, so its fetch is checked, not run; test/training-events.test.ts trains, compiles and evaluates an events model on smnist through the same code, test/event-data.test.ts covers the emulator and binning',
  },
  {
    match: /^train --arch \S+ --dataset s?mnist --epochs \d+ /,
    why: '15 epochs on 60,000 images (or sequences) take 10-60 minutes; one epoch on 100 runs the same code',
    run: (c) => `${c.replace(/--epochs \d+/, '--epochs 1')} --train-limit 100 --test-limit 20`,
  },
  {
    match: /^train --arch snn --timesteps 128 --batch 1000 /,
    why: 'the training-speed benchmark (4,000 images at T=128) takes minutes; 100 images in one batch of 100',
    run: (c) => c.replace('--batch 1000', '--batch 100').replace(/--train-limit \d+/, '--train-limit 100').replace(/--test-limit \d+/, '--test-limit 20'),
  },
  {
    match: /^eval (?:\/tmp\/mnist-snn|examples\/mnist-(?!dvs-sim)|examples\/smnist-)\S*$/,
    why: 'all 10,000 test images (or sequences) after calibrating on 512; 20 after calibrating on 64 run the same code',
    run: (c) => `${c} --limit 20 --calibration-images 64`,
  },
  {
    match: /^verify .*--samples \d+$/,
    why: '1,000-10,000 images through Verilator take minutes; 3 images run the same build and comparison',
    run: (c) => c.replace(/--samples \d+$/, '--samples 3'),
  },
  {
    match: /^verify build\/mnist$/,
    why: '100 images (the default) on every target, Verilator with its random gaps included, take minutes on a loaded 2-core machine; 3 images run the same builds and comparison',
    run: (c) => `${c} --samples 3`,
  },
  {
    match: /^board simulate build\/mnist-(arty|ice) --images \d+$/,
    why: 'the Verilator build of the board top and 800,000 UART cycles an image take minutes; targets/verilog/test/board.test.ts and ice40.test.ts run the same command, harness and host (and, on the iCEBreaker, the flash boot) on a small model',
  },
  {
    match: /^report build\/mnist --images \d+ --no-synth$/,
    why: '1,000 images through Verilator take a minute; 20 run the same build, cycle count and energy lines',
    run: (c) => c.replace(/--images \d+/, '--images 20'),
  },
  {
    match: /^report build\/mnist --images \d+$/,
    why: 'yosys and nextpnr take 15 minutes on the 50-lane design; --no-synth keeps the simulated cycle count',
    run: (c) => `${c.replace(/--images \d+$/, '--images 2')} --no-synth`,
  },
];

/**
 * Placeholders of syntax lines (reviewed): a line holding one of these, `[`, `|` or `...` documents syntax. Its
 * command and flag names are checked; an unknown upper-case word fails until it is added here or made concrete.
 */
const PLACEHOLDERS = new Set(['MODEL', 'DIR', 'DEV', 'FILE', 'NET.nir', 'FILE.png', 'FILE.bin', 'FILE.json', 'ARCH', 'D', 'N', 'T', 'S', 'P', 'B', 'I', 'DT', 'PASS', 'examples/MODEL', 'results/figures/MODEL-raster-image0.png', 'results/figures/MODEL-curves.png']);

/** Files a doc's commands read that the repository does not hold, made first in the scratch root (reviewed). */
const SETUP: Readonly<Record<string, (workspace: string) => Promise<void>>> = {
  // docs/nir.md starts from "net.nir", any NIR file: an snnTorch-style MLP as its exporter writes it, dt 1e-4 as the
  // page uses (the examples' refractory reset has no NIR primitive, so they cannot be exported to make one).
  'docs/nir.md': (workspace) => writeRawNir(join(workspace, 'net.nir'), snntorchMlp(24)),
};

type Kind = 'mention' | 'syntax' | 'concrete';

function kindOf(command: string): Kind {
  const words = command.split(' ');
  // `snnc eval`, `snnc run --image`: a command named in prose, with at most its flag names.
  if (words.slice(1).every((w) => w.startsWith('--'))) return 'mention';
  if (/[[\]|]|\.\.\./.test(command) || words.some((w) => PLACEHOLDERS.has(w))) return 'syntax';
  return 'concrete';
}

function unknownPlaceholders(command: string): string[] {
  return command.split(/[\s[\]|=,]+/).filter((w) => /^[A-Z][A-Z_]*(\.\w+)?$/.test(w) && !PLACEHOLDERS.has(w));
}

/** /tmp paths in the docs become paths in the scratch copy, so concurrent doc files cannot share them. */
function localTmp(command: string, workspace: string): string {
  return command.replace(/(^| )\/tmp\//g, `$1${workspace}/tmp/`);
}

const all = documentedCommands(ROOT);

function substitutionFor(command: string): Substitution | undefined {
  const rules = SUBSTITUTIONS.filter((s) => s.match.test(command));
  if (rules.length > 1) throw new Error(`snnc ${command}: matched by ${rules.length} substitution rules; make them exclusive`);
  return rules[0];
}

async function flagsOf(name: string): Promise<Readonly<Record<string, unknown>> | undefined> {
  const entry = commands.find((c) => c.name === name);
  return entry ? (await entry.load()).flags : undefined;
}

test('the docs show commands, and every substitution rule still matches one', (t) => {
  t.true(all.filter((c) => kindOf(c.command) === 'concrete').length >= 40, `found ${all.length}`);
  for (const rule of SUBSTITUTIONS) t.true(all.some((c) => kindOf(c.command) === 'concrete' && rule.match.test(c.command)), `stale rule ${rule.match}`);
  for (const file of Object.keys(SETUP)) t.true(documentationFiles(ROOT).includes(file), `setup for a missing doc ${file}`);
});

test('syntax lines and mentions name real commands and flags', async (t) => {
  for (const doc of all.filter((c) => kindOf(c.command) !== 'concrete')) {
    const where = `${doc.file}:${doc.line}: snnc ${doc.command}`;
    t.deepEqual(unknownPlaceholders(doc.command), [], `${where}: unknown placeholder; add it to PLACEHOLDERS or write a concrete command`);
    const [name] = doc.command.split(' ');
    const flags = await flagsOf(name!);
    if (!flags) {
      t.fail(`${where}: no command "${name}"`);
      continue;
    }
    for (const flag of doc.command.matchAll(/--([a-z][a-z0-9-]*)/g)) t.true(flag[1]! in flags, `${where}: snnc ${name} has no --${flag[1]}`);
  }
});

/** Runs the real executable (asynchronously, so the doc files' tests overlap). */
function run(argv: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const timedOut = error?.killed === true;
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${timedOut ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s: add a rule to SUBSTITUTIONS\n` : ''}${stdout}${stderr}`.trim() });
    });
  });
}

/** A command not run: its flags must parse and its input paths (MODEL, DIR) exist. */
async function check(t: import('ava').ExecutionContext, doc: DocCommand, cwd: string): Promise<void> {
  const where = `${doc.file}:${doc.line}: snnc ${doc.command}`;
  const [name, ...rest] = splitArgs(doc.command);
  const entry = commands.find((c) => c.name === name);
  if (!entry) return void t.fail(`${where}: no command "${name}"`);
  const command = await entry.load();
  let positional: readonly string[] = [];
  try {
    positional = parseArgs(rest, command.flags, command.name).positional;
  } catch (e) {
    return void t.fail(`${where}: ${(e as Error).message}`);
  }
  for (const p of positional.filter((p) => p.includes('/'))) t.true(existsSync(join(cwd, p)), `${where}: ${p} does not exist`);
}

for (const file of documentationFiles(ROOT)) {
  // Blocks first, in order; then inline spans, which mostly quote a block's command (and then run once).
  const concrete = all.filter((c) => c.file === file && kindOf(c.command) === 'concrete');
  const docs = [...concrete.filter((c) => c.source === 'block'), ...concrete.filter((c) => c.source === 'inline')];
  if (docs.length === 0) continue;
  test(`the commands of ${file} run as written, from the repository root`, async (t) => {
    const workspace = mkdtempSync(join(tmpdir(), 'snnc-docs-'));
    try {
      cpSync(join(ROOT, 'examples'), join(workspace, 'examples'), { recursive: true });
      cpSync(join(ROOT, 'results'), join(workspace, 'results'), { recursive: true });
      mkdirSync(join(workspace, 'tmp'));
      await SETUP[file]?.(workspace);
      const done = new Set<string>();
      for (const doc of docs) {
        const rule = substitutionFor(doc.command);
        if (rule && !rule.run) {
          await check(t, doc, workspace);
          continue;
        }
        const command = localTmp(rule?.run ? rule.run(doc.command) : doc.command, workspace);
        // The same command shown twice in one file runs once.
        if (done.has(command)) continue;
        done.add(command);
        const r = await run(splitArgs(command), workspace);
        t.is(r.code, 0, `${doc.file}:${doc.line}: snnc ${doc.command}${command !== doc.command ? `\n  ran as: snnc ${command}` : ''}\n${r.output}`);
      }
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
}
