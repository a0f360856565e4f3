/**
 * @fileoverview verify can fail on edited files, and says where: a flipped weight bit of a central pixel (border pixels
 * are zero in every MNIST image, so their weights are never read) in every target (a TS constant, an ONNX initializer,
 * a Verilog memory word, a byte of a wasm data segment), a changed opcode in model.wasm, a changed operator in the
 * neuron RTL (after a first verify, so the cached simulator build must be rebuilt), and an edit that cannot be traced,
 * which says why. Edited builds are refused without --as-is.
 */
import test, { type ExecutionContext } from 'ava';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgram } from '../ir/validate.ts';
import { locateMismatch } from '../verify/compare.ts';
import { target as verilog } from '../targets/verilog/index.ts';
import { target as onnxTarget } from '../targets/onnx/index.ts';
import { onnx } from '../targets/onnx/proto.ts';
import { planWasm, type SpikingPlan } from '../targets/wasm/plan.ts';
import { cli } from './support/cli.ts';
import { EXAMPLE_DIR } from './support/example.ts';

const scratch = mkdtempSync(join(tmpdir(), 'snnc-mutation-'));
const pristine = join(scratch, 'pristine');

/** Row 14, column 14 of a 28x28 image. */
const CENTRAL_PIXEL = 14 * 28 + 14;
const HIDDEN_UNITS = 100;
/** Bit 6 of an 8-bit weight: +-64, several times any trained weight of the example. */
const WEIGHT_BIT = 1 << 6;
/** Output-layer bias bit 12 (0.5 at the example's 13 fraction bits) moves class 0's score on every image. */
const BIAS_BIT = 1 << 12;
const LOCATED_IN_HIDDEN_UNIT_0 = / +10 +\d+ .* image \d+: layer 0 \(hidden\), t=\d+, neuron 0 membrane: golden -?\d+, target -?\d+$/;

test.before(async () => {
  const r = await cli('compile', EXAMPLE_DIR, '--out', pristine);
  if (r.code !== 0) throw new Error(r.err.join('\n'));
});

function copyBuild(name: string): string {
  const dir = join(scratch, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

/** Rewrites element `index` of `const NAME = new Int16Array([...])` in a generated model.ts. */
function flipTsElement(source: string, name: string, index: number, bit: number): string {
  const head = `const ${name} = new `;
  const start = source.indexOf('[', source.indexOf(head)) + 1;
  const end = source.indexOf(']', start);
  const values = source.slice(start, end).split(',');
  values[index] = values[index]!.replace(/-?\d+/, (v) => String(Number(v) ^ bit));
  return source.slice(0, start) + values.join(',') + source.slice(end);
}

test.serial('the unmodified build verifies on every target', async (t) => {
  const r = await cli('verify', copyBuild('clean'), '--samples', '10');
  t.is(r.code, 0, r.out.concat(r.err).join('\n'));
  t.deepEqual(r.out.slice(2).map((l) => l.split(/ +/).slice(0, 3).join(' ')), ['onnx 10 0', 'verilog 10 0', 'ts 10 0', 'wasm 10 0']);
});

test.serial('ts: a flipped weight bit of a central pixel is refused as is, then caught and located with --as-is', async (t) => {
  const dir = copyBuild('ts-weight');
  const file = join(dir, 'ts', 'model.ts');
  const source = readFileSync(file, 'utf8');
  // L0_W is input-major ([pixel][unit]), so unit 0's weight of the pixel is element pixel * units.
  writeFileSync(file, flipTsElement(source, 'L0_W', CENTRAL_PIXEL * HIDDEN_UNITS, WEIGHT_BIT));
  const refused = await cli('verify', dir, '--targets', 'ts', '--samples', '10');
  t.is(refused.code, 2);
  t.deepEqual(refused.err, [`snnc: ${file} differs from what compile wrote (sha256 in manifest.json); pass --as-is to check the files as they are`]);
  const r = await cli('verify', dir, '--targets', 'ts', '--samples', '10', '--as-is');
  t.is(r.code, 1, r.out.concat(r.err).join('\n'));
  t.regex(r.out[2]!, new RegExp(`^ts${LOCATED_IN_HIDDEN_UNIT_0.source}`));
});

test.serial('ts: a flipped bias bit is located at the output layer', async (t) => {
  const dir = copyBuild('ts-bias');
  const file = join(dir, 'ts', 'model.ts');
  const source = readFileSync(file, 'utf8');
  const mutated = source.replace(/(const L1_BIAS = new Int32Array\(\[\s*)(-?\d+)/, (_m, head: string, value: string) => `${head}${Number(value) ^ BIAS_BIT}`);
  t.not(mutated, source);
  writeFileSync(file, mutated);
  const r = await cli('verify', dir, '--targets', 'ts', '--samples', '10', '--as-is');
  t.is(r.code, 1);
  t.regex(r.out[2]!, /^ts +10 +10 .* image 0: layer 1 \(out\), t=0, neuron 0 membrane: golden -?\d+, target -?\d+$/);
});

function editInitializer(file: string, name: string, edit: (raw: Buffer) => void): void {
  const model = onnx.ModelProto.decode(readFileSync(file));
  const init = model.graph!.initializer!.find((i) => i.name === name);
  if (!init?.rawData) throw new Error(`${name} is not stored as raw data`);
  const raw = Buffer.from(init.rawData);
  edit(raw);
  init.rawData = raw;
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

test.serial('onnx: a flipped weight bit of a central pixel is located in the model on disk (a traced twin with its initializers)', async (t) => {
  const dir = copyBuild('onnx-weight');
  // hidden/weights_T is [784, 100] uint8, w + 128 (a MatMulInteger operand): row = pixel, column = unit.
  editInitializer(join(dir, 'onnx', 'model.onnx'), 'hidden/weights_T', (raw) => {
    const at = CENTRAL_PIXEL * HIDDEN_UNITS;
    raw[at] = raw[at]! ^ WEIGHT_BIT;
  });
  const r = await cli('verify', dir, '--targets', 'onnx', '--samples', '10', '--as-is');
  t.is(r.code, 1, r.out.concat(r.err).join('\n'));
  t.regex(r.out[2]!, new RegExp(`^onnx${LOCATED_IN_HIDDEN_UNIT_0.source}`));
});

test.serial('onnx: a flipped bias bit is located at the output layer', async (t) => {
  const dir = copyBuild('onnx-bias');
  // out/bias_plus_half is float64 bias + 1/2 (the decay's rounding folded in).
  editInitializer(join(dir, 'onnx', 'model.onnx'), 'out/bias_plus_half', (raw) => raw.writeDoubleLE(((raw.readDoubleLE(0) - 0.5) ^ BIAS_BIT) + 0.5, 0));
  const r = await cli('verify', dir, '--targets', 'onnx', '--samples', '10', '--as-is');
  t.is(r.code, 1);
  t.regex(r.out[2]!, /^onnx +10 +10 .* image 0: layer 1 \(out\), t=0, neuron 0 membrane: golden -?\d+, target -?\d+$/);
});

/** The bytes of the code section (id 10) of a wasm binary: section id, LEB128 size, contents. */
function codeSection(wasm: Buffer): Buffer {
  let at = 8;
  const uleb = (): number => {
    let value = 0;
    for (let shift = 1, byte = 0x80; byte & 0x80; shift *= 128) value += ((byte = wasm[at++]!) & 0x7f) * shift;
    return value;
  };
  while (at < wasm.length) {
    const id = wasm[at++]!;
    const size = uleb();
    if (id === 10) return wasm.subarray(at, at + size);
    at += size;
  }
  throw new Error('no code section');
}

/** `snnc verify --as-is` of one target on 10 samples, which must find mismatches (exit 1): its result line. */
async function mismatchLine(t: ExecutionContext, dir: string, target: string): Promise<string> {
  const r = await cli('verify', dir, '--targets', target, '--samples', '10', '--as-is');
  t.is(r.code, 1, r.out.concat(r.err).join('\n'));
  return r.out[2]!;
}

test.serial('wasm: a flipped weight bit of a central pixel in a data segment of model.wasm is located', async (t) => {
  const dir = copyBuild('wasm-weight');
  const file = join(dir, 'wasm', 'model.wasm');
  const wasm = readFileSync(file);
  // The hidden layer's weights are one data segment, [pixel][unit] i16 with units padded to 104: unit 0's weight of
  // the pixel is element pixel * 104, its low byte first.
  const plan = planWasm(parseProgram(readFileSync(join(dir, 'ir.json'), 'utf8'), 'ir.json'));
  const hidden = plan.layers[0] as SpikingPlan;
  t.is(hidden.dense!.paddedUnits, 104);
  const segment = wasm.indexOf(plan.segments.find((s) => s.offset === hidden.dense!.weightsAt)!.bytes);
  t.true(segment > 0);
  const at = segment + 2 * CENTRAL_PIXEL * hidden.dense!.paddedUnits;
  wasm[at] = wasm[at]! ^ WEIGHT_BIT;
  writeFileSync(file, wasm);
  t.regex(await mismatchLine(t, dir, 'wasm'), new RegExp(`^wasm${LOCATED_IN_HIDDEN_UNIT_0.source}`));
});

test.serial('wasm: an arithmetic shift of the decay turned logical in the code of model.wasm is caught and located', async (t) => {
  const dir = copyBuild('wasm-opcode');
  const file = join(dir, 'wasm', 'model.wasm');
  const wasm = readFileSync(file);
  // `i32.const 15; i32x4.shr_s` is the decay 29491/2^15 (split: (v >> 15) * 29491 + ...) of hidden, then of out; the
  // first becomes i32x4.shr_u (0xfd 0xad), so a negative membrane decays to a huge positive one.
  const code = codeSection(wasm);
  const decayShift = Buffer.from([0x41, 15, 0xfd, 0xac, 0x01]);
  const first = code.indexOf(decayShift);
  t.true(first > 0 && code.indexOf(decayShift, first + 1) > first, 'the decay shifts of both layers');
  code[first + 3] = 0xad;
  writeFileSync(file, wasm);
  t.regex(await mismatchLine(t, dir, 'wasm'), /^wasm +10 +\d+ .* image \d+: layer 0 \(hidden\), t=\d+, neuron \d+ membrane: golden -?\d+, target -?\d+$/);
});

test.serial('verilog: a flipped weight bit of a central pixel in mem/s0_weights.hex is located', async (t) => {
  t.timeout(15 * 60_000, 'two verilator builds');
  const dir = copyBuild('verilog-weight');
  const file = join(dir, 'verilog', 'mem', 's0_weights.hex');
  // Word g * 784 + pixel holds units g*lanes.. of that pixel (unit-major, as ir.json), unit 0 of group 0 in the low 8 bits.
  const words = readFileSync(file, 'utf8').split('\n');
  const word = words[CENTRAL_PIXEL]!;
  words[CENTRAL_PIXEL] = word.slice(0, -2) + (parseInt(word.slice(-2), 16) ^ WEIGHT_BIT).toString(16).padStart(2, '0');
  writeFileSync(file, words.join('\n'));
  const r = await cli('verify', dir, '--targets', 'verilog', '--samples', '10', '--as-is');
  t.is(r.code, 1, r.out.concat(r.err).join('\n'));
  t.regex(r.out[2]!, new RegExp(`^verilog${LOCATED_IN_HIDDEN_UNIT_0.source}`));
});

test.serial('verilog: after one verify, a changed operator in rtl/snn_neuron.v rebuilds the simulator, fails and is located', async (t) => {
  t.timeout(20 * 60_000, 'three verilator builds');
  const dir = copyBuild('verilog-rtl');
  const first = await cli('verify', dir, '--targets', 'verilog', '--samples', '10');
  t.is(first.code, 0, first.out.concat(first.err).join('\n'));
  const file = join(dir, 'verilog', 'rtl', 'snn_neuron.v');
  const source = readFileSync(file, 'utf8');
  // The decay's arithmetic shift becomes a logical one: negative membranes decay to huge positive ones.
  const mutated = source.replace('(decay2 + decayed_ROUND) >>> DECAY_SHIFT', '(decay2 + decayed_ROUND) >> DECAY_SHIFT');
  t.not(mutated, source);
  writeFileSync(file, mutated);
  const r = await cli('verify', dir, '--targets', 'verilog', '--samples', '10', '--as-is');
  t.is(r.code, 1, r.out.concat(r.err).join('\n'));
  t.regex(r.out[2]!, /^verilog +10 +\d+ .* image \d+: layer \d \(\w+\), t=\d+, neuron \d+ membrane: golden -?\d+, target -?\d+$/);
});

test.serial('verilog: an edit a traced build cannot carry (snn_top.v) is reported as location unavailable, with the reason', async (t) => {
  const dir = copyBuild('verilog-top');
  const file = join(dir, 'verilog', 'rtl', 'snn_top.v');
  writeFileSync(file, readFileSync(file, 'utf8') + '// edited\n');
  const program = parseProgram(readFileSync(join(dir, 'ir.json'), 'utf8'), 'ir.json');
  const where = await locateMismatch(program, verilog, join(dir, 'verilog'), new Uint8Array(784), 0);
  t.deepEqual(where, { unavailable: 'rtl/snn_top.v differs from the design ir.json emits, and the traced build has to re-emit it with trace ports' });
});

test.serial('onnx: an edit to the graph itself (not its initializers) is reported as location unavailable, with the reason', async (t) => {
  const dir = copyBuild('onnx-graph');
  const file = join(dir, 'onnx', 'model.onnx');
  const model = onnx.ModelProto.decode(readFileSync(file));
  model.graph!.node![0]!.name = 'edited by hand';
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  const program = parseProgram(readFileSync(join(dir, 'ir.json'), 'utf8'), 'ir.json');
  const where = await locateMismatch(program, onnxTarget, join(dir, 'onnx'), new Uint8Array(784), 0);
  t.deepEqual(where, { unavailable: "model.onnx's graph differs from the one ir.json emits in more than its constants, so no traced twin can be built from it" });
});
