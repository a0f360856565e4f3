/** @fileoverview The wasm printer: LEB128 integers, names resolved to indices and depths, misuse refused. */
import test from 'ava';
import { printWasm, sleb, uleb } from '../print-wasm.ts';
import { block, brIf, get, i32, op, type WasmModule } from '../wasm-data.ts';
import { wasmApi } from './support.ts';

test('LEB128: unsigned and signed encodings of the spec examples', (t) => {
  t.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  t.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  t.deepEqual(sleb(63), [0x3f]);
  t.deepEqual(sleb(64), [0xc0, 0x00]);
  t.deepEqual(sleb(-(2n ** 63n)), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
});

const moduleOf = (body: WasmModule['functions'][number]['body']): WasmModule => ({
  pages: 1, data: [{ offset: 16, bytes: Uint8Array.from([1, 2]) }],
  functions: [{ name: 'f', params: [{ name: 'x', type: 'i32' }], result: 'i32', locals: [], body, exported: true }],
});

test('a small module with a named block and local runs: f(x) = x + 1, or 0 for x = 0', async (t) => {
  const body = [...block('done', brIf('done', op('i32.eqz', get('x')))), ...op('i32.mul', op('i32.ne', get('x'), i32(0)), op('i32.add', get('x'), i32(1)))];
  const { instance } = await wasmApi.instantiate(printWasm(moduleOf(body)));
  const f = instance.exports.f as (x: number) => number;
  t.deepEqual([f(0), f(41)], [0, 42]);
  t.deepEqual([...new Uint8Array((instance.exports.memory as { buffer: ArrayBuffer }).buffer, 16, 2)], [1, 2]);
});

test('unknown instructions, locals and labels are refused when printing', (t) => {
  t.throws(() => printWasm(moduleOf([['i32.frobnicate']])), { message: 'f: unknown instruction i32.frobnicate' });
  t.throws(() => printWasm(moduleOf(get('y'))), { message: 'f: unknown local y' });
  t.throws(() => printWasm(moduleOf(brIf('nowhere', i32(1)))), { message: 'f: branch to nowhere outside its block' });
});
