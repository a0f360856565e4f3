// scratch: profile the onnx model by node
import { writeFileSync, readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as ort from 'onnxruntime-node';
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { emitOnnxModels } from '../targets/onnx/emit.ts';
const T = Number(process.argv[2] ?? 8), N = Number(process.argv[3] ?? 64), unroll = process.argv[4] === 'unroll';
const { program: p0 } = await compileModelDir('examples/mnist-snn');
const program = { ...p0, timesteps: T };
const [model] = emitOnnxModels(program, { unroll });
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
writeFileSync(join(dir, 'm.onnx'), model!.contents);
const s = await ort.InferenceSession.create(join(dir, 'm.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: join(dir, 'prof') });
const batch = datasetBatch(loadDataset('mnist', 'test', { limit: N * 8 }));
function feeds(i: number) { const px = new Uint8Array(N * 784); for (let k = 0; k < N; k++) px.set(batch.images[i * N + k]!, k * 784); return { image: new ort.Tensor('uint8', px, [N, 1, 28, 28]), seed: new ort.Tensor('int64', BigInt64Array.from({ length: N }, (_, k) => BigInt(i * N + k)), [N]) }; }
await s.run(feeds(0));
const t0 = performance.now();
for (let i = 1; i < 8; i++) await s.run(feeds(i));
const dt = performance.now() - t0;
console.log(`images/s ${(7 * N / dt * 1000).toFixed(0)}`);
await (s as any).endProfiling?.(); await s.release(); const file = join(dir, readdirSync(dir).find((f) => f.startsWith('prof'))!);
const ev = JSON.parse(readFileSync(file, 'utf8')) as any[];
const byOp = new Map<string, number>(); const byNode = new Map<string, number>();
let total = 0;
for (const e of ev) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) { const op = e.args.op_name; byOp.set(op, (byOp.get(op) ?? 0) + e.dur); byNode.set(e.name, (byNode.get(e.name) ?? 0) + e.dur); total += e.dur; }
const runs = ev.filter((e) => e.name === 'model_run').reduce((a, e) => a + e.dur, 0);
console.log('model_run total us', runs, 'kernel total us', total);
for (const [k, v] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(k.padEnd(20), (v / 1000).toFixed(1), 'ms');
console.log('---');
for (const [k, v] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(k.padEnd(70), (v / 1000).toFixed(1), 'ms');
rmSync(dir, { recursive: true });
