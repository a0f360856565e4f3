/**
 * @fileoverview Acceptance of the recurrent NIR examples: `snnc compile examples/braille-rnn.nir` (a recurrent CubaLIF,
 * then a feed-forward one; no data for its 12 channels, so --calibration none), and braille-rnn-bias.nir (the same with
 * Affine biases: a current bias on lif1), and `snnc verify` on random event
 * counts, 0 mismatches on every target of targets/registry.ts that computes recurrence and synaptic currents (all four
 * today). A target that did not would be skipped by compile with its one-line refusal, which this test would pin.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { parseProgram } from '../ir/validate.ts';
import { randomProgramBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import { targets } from '../targets/registry.ts';
import { cli } from './support/cli.ts';
import { tempDir } from './support/emit-to.ts';

/** The example, and its variant with Affine biases: layer names with whether each has a recurrent synapse, a synaptic current, a current bias. */
const EXAMPLES: readonly [string, readonly (readonly [string, boolean, boolean, boolean])[]][] = [
  ['braille-rnn.nir', [['lif1', true, true, false], ['lif2', false, true, false]]],
  ['braille-rnn-bias.nir', [['lif1', true, true, true], ['lif2_syn', false, false, false], ['lif2', false, false, false]]],
];
const SAMPLES = 12;

/** How each target that does not compute the example yet refuses it (from its check, one line). */
const KNOWN_REFUSALS: Readonly<Record<string, string>> = {};

/** The target's refusal of `program`, or undefined when it emits it. */
function refusal(target: (typeof targets)[number], program: ReturnType<typeof parseProgram>): string | undefined {
  try {
    target.check(program);
    return undefined;
  } catch (e) {
    if (e instanceof SnncError && e.code === 'unsupported') return e.message;
    throw e;
  }
}

for (const [file, layers] of EXAMPLES) test(`examples/${file} compiles and verifies with 0 mismatches on every target that computes it`, async (t) => {
  // The verilog build takes minutes on a busy machine.
  t.timeout(20 * 60_000, 'compile and verify on every target');
  const out = join(tempDir('nir-braille-cli'), 'build');
  const compiled = await cli('compile', new URL(`../examples/${file}`, import.meta.url).pathname, '--calibration', 'none', '--out', out);
  t.is(compiled.code, 0, compiled.err.join('\n'));
  const program = parseProgram(readFileSync(join(out, 'ir.json'), 'utf8'), 'ir.json');
  t.deepEqual(program.layers.map((op) => op.kind === 'spiking' && [op.name, op.recurrent !== undefined, op.synaptic !== undefined, op.synaptic?.bias !== undefined]), layers);
  t.true(program.quantization.provenNoSaturation);
  // The net must do something, or an all-zero target would pass: golden scores differ across samples.
  const batch = randomProgramBatch(program, SAMPLES);
  const scores = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!).scores.join(','));
  t.true(new Set(scores).size > 1, `golden scores are all ${scores[0]}`);
  const verified = await cli('verify', out, '--samples', String(SAMPLES));
  const table = verified.out.join('\n');
  t.is(verified.code, 0, [...verified.out, ...verified.err].join('\n'));
  const computing: string[] = [];
  for (const target of targets) {
    const refused = refusal(target, program);
    if (refused === undefined) {
      computing.push(target.name);
      t.regex(table, new RegExp(`^${target.name}\\s+${SAMPLES}\\s+0\\s`, 'm'), `${target.name} did not match golden on ${SAMPLES} samples`);
    } else {
      t.is(refused, KNOWN_REFUSALS[target.name] ?? '(none: this target was expected to compute the example)', `${target.name} refuses the example in a way this test does not know`);
      t.true(compiled.err.includes(`snnc: skipped ${target.name}: ${refused}`), compiled.err.join('\n'));
      t.regex(table, new RegExp(`^${target.name}\\s+0\\s.*skipped: ${refused}`, 'm'));
    }
  }
  // Every target computes recurrence and the synaptic current (RECURRENCE_TARGETS, test/support/conformance-set.ts).
  t.deepEqual(computing.sort(), ['onnx', 'ts', 'verilog', 'wasm']);
});
