/**
 * @fileoverview Emitted models pass the reference checker, onnx.checker.check_model(full_check=True) from Debian's
 * python3-onnx (ONNX 1.12, opsets up to 17): structure, operator schemas, types and shape inference, Loop bodies too.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '../../../ir/program.ts';
import type { SnnModel } from '../../../model/format.ts';
import type { EmitOptions } from '../../target.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { cubaLif, poolAvgPadded, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';
import { avgPoolModel, sinabsModel } from '../../../test/support/feature-models.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { exampleProgram } from '../../../test/support/example.ts';
import { BOTH } from '../../../test/support/recurrence-program.ts';
import { target } from '../index.ts';

const CHECK = [
  'import onnx, sys',
  'for path in sys.argv[1:]:',
  '    onnx.checker.check_model(onnx.load(path), full_check=True)',
  '    print("ok", path)',
].join('\n');

/** The first python3 that can import onnx: $SNNC_PYTHON, then the PATH's, then Debian's own. */
function pythonWithOnnx(): string | undefined {
  const candidates = [process.env.SNNC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((python) => spawnSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);
}

function floatSnn(): SnnModel {
  const tensor = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7) % 5) / 10 - 0.2) });
  return {
    format: 'snnc-model', version: 1, kind: 'snn', metadata: { name: 'tiny-float', dataset: 'mnist', arch: 'tiny', seed: 0, trainCommand: 'none' },
    input: { shape: [1, 5, 5], scale: 1 / 255 }, encoder: { kind: 'jitter' }, timesteps: 3, classes: 3, readout: { kind: 'mean', begin: 1 },
    layers: [
      { kind: 'conv', name: 'conv0', filters: 2, kernel: 3, weights: tensor([2, 1, 3, 3]), bias: tensor([2]), learned: true },
      { kind: 'spiking', name: 'out', units: 3, weights: tensor([3, 18]), bias: tensor([3]), decay: 0.9, threshold: 0.5, output: 'excess', reset: { kind: 'refractory', penalty: 0.2 }, delay: 1 },
    ],
  };
}

test('every kind of emitted model passes onnx.checker with full_check', async (t) => {
  const python = pythonWithOnnx();
  if (!python) {
    t.fail('no python3 with the onnx package: apt-get install -y python3-onnx (or set SNNC_PYTHON)');
    return;
  }
  const example = await exampleProgram();
  const emitted: [Program, EmitOptions][] = [
    [randomProgram(3, { conv: true, encoder: 'jitter', delay: 1, timesteps: 3 }), { traces: true }],
    [randomProgram(4, { conv: false, encoder: 'direct', delay: 0, timesteps: 3 }), { unroll: true }],
    [randomProgram(5, { conv: true, timesteps: 2 }), { precision: 'float', model: floatSnn() }],
    // The shipped example, int and float, as `snnc compile --precision float` writes it.
    [example.program, { precision: 'float', model: example.model }],
    // The NIR features: padded and strided windows, pools, identity synapses, membrane outputs, value resets, output readouts.
    [sinabsConvNet(), { traces: true }],
    [cubaLif(), { unroll: true, traces: true }],
    [poolAvgPadded(), {}],
    [sinabsConvNet(), { precision: 'float', model: sinabsModel(3) }],
    [cubaLif(), { precision: 'float', model: avgPoolModel(6), unroll: true }],
    ...[0, 1, 2].map((k): [Program, EmitOptions] => [randomProgram(8100 + k, { extended: true, pool: true, identity: k !== 1 }), { traces: k === 0, unroll: k === 2 }]),
    // Event input (frames [N, T, C, H, W]): in a Loop of two blocks with traces, and unrolled.
    [randomProgram(61, { conv: true, encoder: 'events', timesteps: 32 }), { traces: true }],
    [randomProgram(62, { conv: false, encoder: 'events', timesteps: 6 }), { unroll: true }],
    // Recurrent synapses (W_rec r in MatMulInteger, float and double) and synaptic currents, Loop and unrolled.
    [BOTH, { traces: true }],
    [randomProgram(63, { extended: true, encoder: 'events', timesteps: 4, recurrence: 'both' }), { unroll: true }],
    [randomProgram(64, { conv: true, timesteps: 3, recurrence: 'recurrent', delay: 1 }), {}],
  ];
  const dirs: string[] = [];
  for (const [program, options] of emitted) dirs.push(await emitTo(target, program, options));
  const files = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => join(dir, f)));
  t.is(files.length, 21);
  const result = spawnSync(python, ['-c', CHECK, ...files], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr.split('\n').filter((l) => l.trim()).slice(-3).join('\n'));
  t.is(result.stdout.split('\n').filter((l) => l.startsWith('ok ')).length, files.length);
});
