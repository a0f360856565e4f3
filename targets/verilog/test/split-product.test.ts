/**
 * @fileoverview SPLIT_PRODUCT (cores/synapse.ts), which the iCEBreaker flow sets on the layers after the first (their
 * products are built from LUTs there): w * x as two half products a stage apart, bit-exact with the golden runtime on
 * Verilator, for multi-bit inputs (the excess outputs of a layer) and binary ones (no split: the weight is gated); and
 * SPLIT_JITTER, the jitter encoder's pixel * draw the same way.
 */
import test from 'ava';
import { writeDirAtomic } from '../../../base/fs-atomic.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { tempDir } from '../../../test/support/emit-to.ts';
import { emitDesign } from '../emit.ts';
import { simulate } from '../run.ts';
import { assertGoldenScores, lint } from './support.ts';

// [case, later dense synapses (SPLIT_PRODUCT set), of which with a multi-bit input (split)]
const CASES = [['excess-zero-delay1-jitter', 1, 1], ['mixed-three-layers', 3, 1], ['binary-subtract-delay0-direct', 2, 0]] as const;

for (const [name, later, split] of CASES) {
  test(`${name}: ${split} of ${later} later synapses split, lint-clean and bit-exact on Verilator`, (t) => {
    const { program, lanes } = sharedCase(name);
    const files = emitDesign(program, { lanes, traces: false, splitLaterProducts: true });
    const top = String(files.find((f) => f.path === 'rtl/snn_top.v')!.contents);
    const synapses = [...top.matchAll(/snn_synapse #\(([^;]*?)\) (s\d+)_synapse/g)].map((m) => `${m[2]} ${m[1]}`);
    const flagged = synapses.filter((p) => p.includes('.SPLIT_PRODUCT(1)'));
    t.is(flagged.length, later);
    t.is(flagged.filter((p) => !p.includes('.X_BITS(1),')).length, split);
    t.false(synapses.some((p) => p.startsWith('s0 ') && p.includes('SPLIT_PRODUCT')), 'the first layer keeps whole products');
    t.is(top.includes('.SPLIT_JITTER(1)'), program.encoder.kind === 'jitter', 'the jitter product splits too');
    const dir = tempDir(`split-${name}`);
    writeDirAtomic(dir, files.map((f) => [f.path, f.contents] as const));
    t.is(lint(dir), '');
    const batch = testBatch(program, 6);
    assertGoldenScores(t, dir, program, batch, simulate(dir, batch));
  });
}
