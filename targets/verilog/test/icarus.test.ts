/**
 * @fileoverview Icarus Verilog as a second opinion (the conformance suite simulates with Verilator): six designs of the
 * shared set, each built once, bit-exact against the golden runtime on 4 images.
 */
import test from 'ava';
import { testBatch } from '../../../test/support/batches.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { target } from '../index.ts';
import { simulate } from '../run.ts';
import { assertGoldenScores } from './support.ts';

const DESIGNS = [
  sharedCase('conv-excess-refractory-delay1-jitter'),
  sharedCase('mixed-three-layers'),
  { ...sharedCase('tiny'), lanes: 1 },
  sharedCase('features'),
  sharedCase('identity-delay-pool'),
  sharedCase('strided-identity-conv'),
];

for (const { name, program, lanes } of DESIGNS) {
  test.serial(`${name}, ${lanes} lane(s): Icarus matches the golden runtime on 4 images`, async (t) => {
    const dir = await emitTo(target, program, { lanes });
    const batch = testBatch(program, 4);
    assertGoldenScores(t, dir, program, batch, simulate(dir, batch, { simulator: 'icarus' }));
  });
}
