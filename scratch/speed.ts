// scratch: images per CPU-second of the emitted model, and agreement with golden
import { writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGoldenBatch } from '../runtime/golden-batch.ts';
import { emitOnnxModels } from '../targets/onnx/emit.ts';
import { OnnxModelSession } from '../targets/onnx/run.ts';
const T = Number(process.argv[2] ?? 8), N = Number(process.argv[3] ?? 64), images = Number(process.argv[4] ?? 2000), check = Number(process.argv[5] ?? 0), threads = Number(process.argv[6] ?? 1);
const { program: p0 } = await compileModelDir('examples/mnist-snn');
const program = { ...p0, timesteps: T, ...(process.env.DIRECT ? { encoder: { kind: 'direct' as const, outType: p0.encoder.outType } } : {}) };
const [model] = emitOnnxModels(program, { unroll: process.env.UNROLL === '1' });
const dir = mkdtempSync(join(tmpdir(), 'speed-'));
writeFileSync(join(dir, 'm.onnx'), model!.contents);
const batch = datasetBatch(loadDataset('mnist', 'test', { limit: Math.max(images, check) }));
const s = await OnnxModelSession.open(join(dir, 'm.onnx'), program.input.shape, { threads, chunk: N });
await s.run({ images: batch.images.slice(0, N), seeds: batch.seeds.slice(0, N) });
const sub = { images: batch.images.slice(0, images), seeds: batch.seeds.slice(0, images) };
let best = 0;
for (let rep = 0; rep < 2; rep++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await s.run(sub);
  const c = process.cpuUsage(c0); const wall = (performance.now() - t0) / 1000;
  const cpu = (c.user + c.system) / 1e6;
  best = Math.max(best, images / cpu);
  console.log(`T=${T} N=${N} threads=${threads}: ${(images / wall).toFixed(0)} images/s wall, ${(images / cpu).toFixed(0)} per cpu-s; model ${(model!.contents.length / 1024).toFixed(0)} KiB`);
}
if (check > 0) {
  const cb = { images: batch.images.slice(0, check), seeds: batch.seeds.slice(0, check) };
  const actual = await s.run(cb);
  const golden = await runGoldenBatch(program, cb);
  const agree = golden.scores.filter((sc, i) => actual.labels[i] === golden.labels[i] && sc.every((v, k) => v === actual.scores[i]![k])).length;
  console.log(`agreement ${agree}/${check}`);
  if (agree < check) { const i = golden.scores.findIndex((sc, i) => !sc.every((v, k) => v === actual.scores[i]![k])); console.log('first diff', i, golden.scores[i], actual.scores[i]); }
}
await s.close();
rmSync(dir, { recursive: true });
