/** @fileoverview Icarus Verilog as a second opinion: the same designs, bit-exact against the golden runtime. */
import test from 'ava';
import { simulate } from '../run.ts';
import { assertGoldenScores, batchFor, emitTo } from './support.ts';
import { FEATURE_DESIGNS } from './feature-programs.ts';
import { MODE_DESIGNS, TINY } from './programs.ts';

for (const { name, program, lanes } of [MODE_DESIGNS[0]!, MODE_DESIGNS[4]!, { name: 'tiny', program: TINY, lanes: 1 }, ...FEATURE_DESIGNS]) {
  test(`${name}, ${lanes} lane(s): Icarus matches the golden runtime on 4 images`, (t) => {
    const dir = emitTo(program, { lanes });
    const batch = batchFor(program, 4, 77);
    assertGoldenScores(t, dir, program, batch, simulate(dir, batch, { simulator: 'icarus' }));
  });
}
