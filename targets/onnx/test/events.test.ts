/**
 * @fileoverview Event input on the onnx target: the model's `frames` input [N, T, C, H, W] uint8, x_t = frame t in
 * a Loop of several blocks and unrolled, and the one-line refusal of a count the input type cannot hold. (The
 * conformance suite runs the event programs of the shared set and the mode sweep.)
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { maxOf } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { runGoldenBatch } from '../../../runtime/golden-batch.ts';
import { traceGolden } from '../../../runtime/golden.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { sinabsModel } from '../../../test/support/feature-models.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { FRAMES_INPUT, SEED_INPUT, traceOutputName } from '../graph-io.ts';
import { target } from '../index.ts';
import { blockSize } from '../plan.ts';
import { DTYPE_CODE, onnx } from '../proto.ts';
import { OnnxModelSession, sampleDims } from '../run.ts';

/** T = 32 runs as two blocks of 16, so block 1 must read frames 16..31. */
const program: Program = randomProgram(61, { conv: true, encoder: 'events', timesteps: 32 });

test('an events model takes frames uint8 [N, T, C, H, W] and the seed', async (t) => {
  const dir = await emitTo(target, program);
  const model = onnx.ModelProto.decode(readFileSync(join(dir, 'model.onnx')));
  const inputs = (model.graph?.input ?? []).map((input) => ({
    name: input.name,
    type: input.type?.tensorType?.elemType,
    dims: (input.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
  }));
  const [c, h, w] = program.input.shape;
  t.deepEqual(inputs, [
    { name: FRAMES_INPUT, type: DTYPE_CODE.uint8, dims: ['N', 32, c, h, w] },
    { name: SEED_INPUT, type: DTYPE_CODE.int64, dims: ['N'] },
  ]);
  t.deepEqual(sampleDims(program), [32, c, h, w]);
  t.is(blockSize(program.timesteps), 16);
});

for (const unroll of [false, true]) {
  test(`x_t is frame t of each sample, and scores equal the golden runtime, over two blocks (${unroll ? 'unrolled' : 'Loop'})`, async (t) => {
    const dir = await emitTo(target, program, { unroll, traces: true });
    const batch = testBatch(program, 7);
    t.deepEqual(await target.run(dir, program, batch), await runGoldenBatch(program, batch));
    const session = await OnnxModelSession.open(join(dir, 'model.onnx'), sampleDims(program));
    const run = await session.runRaw(batch.images, batch.seeds);
    await session.close();
    const x = run.outputs.get(traceOutputName('encoder', 'x'))!;
    const size = program.input.shape.reduce((a, b) => a * b, 1);
    const n = batch.images.length;
    t.deepEqual(x.dims, [32, n, size]);
    batch.images.forEach((sample, i) => {
      const rows = Array.from({ length: 32 }, (_, step) => x.data.slice((step * n + i) * size, (step * n + i + 1) * size));
      t.deepEqual(rows, traceGolden(program, sample, batch.seeds[i]!).inputs, `sample ${i}`);
      t.deepEqual(rows[31], Array.from(sample.subarray(31 * size)), `sample ${i}: the last frame`);
    });
  });
}

test('a count above the input type, or a sample of the wrong length, is refused in one line', async (t) => {
  const dir = await emitTo(target, program);
  const { images, seeds } = testBatch(program, 2);
  const top = maxOf(program.input.type);
  const bad = images[1]!.slice();
  bad[5] = top + 1;
  const error = await t.throwsAsync(target.run(dir, program, { images: [images[0]!, bad], seeds }), { instanceOf: SnncError });
  t.is(error?.message, `sample 1: event count ${top + 1} at frame 0 exceeds the input type's ${top} (bin with saturation)`);
  const short = await t.throwsAsync(target.trace!(dir, program, images[0]!.subarray(1), 0), { instanceOf: SnncError });
  t.regex(short?.message ?? '', /^sample 0: sample has \d+ values, the program wants 32 frames of \d+ counts$/);
});

test('--precision float is refused for an events program: the float model format takes images only', async (t) => {
  const error = await t.throwsAsync(target.emit(program, { precision: 'float', model: sinabsModel(3) }), { instanceOf: SnncError });
  t.is(error?.code, 'unsupported');
  t.is(error?.message, 'onnx: --precision float takes images; an events program has no float event model yet');
});
