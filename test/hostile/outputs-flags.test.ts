/** @fileoverview Hostile flag values: an empty list item is refused in one line, never read as "check nothing". */
import test from 'ava';
import { cli } from '../support/cli.ts';
import { assertOneLine, assertSame, snapshotTree } from './support/snapshot.ts';
import { caseWithModel } from './support/cases.ts';

const cases: [label: string, argv: (model: string) => string[], message: RegExp][] = [
  ['compile --target ""', (m) => ['compile', m, '--target', ''], /^snnc: --target: empty value$/],
  ['compile --target ,', (m) => ['compile', m, '--target', ','], /^snnc: --target: empty item in "," \(expected a comma-separated list\)$/],
  ['compile --target ts,', (m) => ['compile', m, '--target', 'ts,'], /^snnc: --target: empty item in "ts," \(expected a comma-separated list\)$/],
  ['verify --targets ""', (m) => ['verify', m, '--targets', ''], /^snnc: --targets: empty value$/],
  ['verify --targets ,', (m) => ['verify', m, '--targets', ','], /^snnc: --targets: empty item in "," \(expected a comma-separated list\)$/],
  ['verify --targets=', (m) => ['verify', m, '--targets='], /^snnc: --targets: empty value$/],
  ['compile --granularity ""', (m) => ['compile', m, '--granularity', ''], /^snnc: --granularity: empty value$/],
];

for (const [label, argv, message] of cases) {
  test(`${label} is refused in one line, exit 2`, async (t) => {
    const { dir, model } = caseWithModel('flags');
    const before = snapshotTree(dir);
    const r = await cli(...argv(model));
    t.is(r.code, 2);
    t.deepEqual(r.out, [], 'nothing was checked or written');
    assertOneLine(t, r.err, message);
    assertSame(t, dir, before);
  });
}
