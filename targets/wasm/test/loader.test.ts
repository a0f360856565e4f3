/**
 * @fileoverview model.mjs, the emitted loader: plain Node (no tsx, no snnc) imports it, it reads model.wasm beside
 * itself and gives the scores docs/ir.md states for its example; from bytes it gives golden traces; it refuses an
 * image of the wrong size; model.wasm is a valid module.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { traceGolden } from '../../../runtime/golden.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { target } from '../index.ts';
import { loadWasmModel } from '../run.ts';
import { docExample, wasmApi } from './support.ts';

test('plain node runs the emitted module through model.mjs with the scores docs/ir.md states: [6725, 3355], label 0', async (t) => {
  const dir = await emitTo(target, docExample());
  t.deepEqual((await target.emit(docExample(), {})).map((f) => f.path), ['model.wasm', 'model.mjs', 'README.md']);
  const script = `import { load } from ${JSON.stringify(pathToFileURL(join(dir, 'model.mjs')).href)};
const model = await load();
console.log(JSON.stringify(model.infer(Uint8Array.from([0, 64, 128, 255]), 1)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '' } });
  t.deepEqual(JSON.parse(stdout), { scores: [6725, 3355], label: 0 });
});

test('model.wasm validates; traced from bytes it equals the golden trace; a wrong image size is a RangeError', async (t) => {
  const program = docExample();
  const dir = await emitTo(target, program);
  t.true(wasmApi.validate(readFileSync(join(dir, 'model.wasm'))));
  const model = await loadWasmModel(dir, program);
  const pixels = Uint8Array.from([9, 0, 200, 31]);
  const expected = traceGolden(program, pixels, 7);
  const actual = model.trace(pixels, 7);
  t.deepEqual(actual.layers.map((l) => [l.membrane, l.output]), expected.layers.map((l) => [l.membrane, l.output]));
  t.throws(() => model.infer(new Uint8Array(5), 1), { instanceOf: RangeError, message: /5 pixels, the model wants 4/ });
});

test('a loader emitted for another program is refused in one line', async (t) => {
  const dir = await emitTo(target, docExample());
  const other = { ...docExample(), timesteps: 5 };
  await t.throwsAsync(loadWasmModel(dir, other), { message: /model.mjs was emitted from another program \(fingerprint [0-9a-f]{12}, expected [0-9a-f]{12}\); emit it again$/ });
});
