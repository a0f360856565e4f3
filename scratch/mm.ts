import * as ort from 'onnxruntime-node';
import { GraphBuilder, NameTable } from '../targets/onnx/graph-builder.ts';
import { onnx } from '../targets/onnx/proto.ts';
const M = Number(process.argv[2] ?? 2048), K = 784, N = 100;
function model(kind: string): Uint8Array {
  const g = new GraphBuilder(new NameTable(), 'mm');
  const w = Array.from({ length: K * N }, (_, i) => ((i * 7919) % 251) - 125);
  let out: string;
  if (kind === 'float') {
    const x = g.input('x', 'float', [M, K]);
    out = g.op('MatMul', [x, g.initializer('w', 'float', [K, N], w)], { name: 'y' });
  } else if (kind === 'u8u8') {
    const x = g.input('x', 'uint8', [M, K]);
    out = g.op('MatMulInteger', [x, g.initializer('w', 'uint8', [K, N], w.map((v) => v + 128)), '', g.initializer('zp', 'uint8', [], [128])], { name: 'y', dtype: 'int32' });
  } else {
    const x = g.input('x', 'uint8', [M, K]);
    out = g.op('MatMulInteger', [x, g.initializer('w', 'int8', [K, N], w)], { name: 'y', dtype: 'int32' });
  }
  g.output(out, 'out', [M, N]);
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g.toProto() })).finish();
}
for (const kind of ['float', 'u8u8', 'u8s8']) {
  const s = await ort.InferenceSession.create(model(kind), { intraOpNumThreads: 1 });
  const xs = Array.from({ length: M * K }, (_, i) => (i % 5 === 0 ? (i * 31) % 256 : 0));
  const feed = { x: kind === 'float' ? new ort.Tensor('float32', Float32Array.from(xs), [M, K]) : new ort.Tensor('uint8', Uint8Array.from(xs), [M, K]) };
  await s.run(feed);
  const c0 = process.cpuUsage();
  const reps = 20;
  for (let i = 0; i < reps; i++) await s.run(feed);
  const c = process.cpuUsage(c0);
  console.log(kind, ((c.user + c.system) / reps / 1000).toFixed(2), 'ms cpu per run', M, 'rows');
}
