/**
 * @fileoverview The wasm target's one printer: a WasmModule (wasm-data.ts) to the bytes of a WebAssembly binary
 * (core spec 2.0 with fixed-width SIMD and bulk memory). Names of locals, labels and functions become indices here.
 */
import type { Code, Immediate, Local, ValType, WasmFunction, WasmModule } from './wasm-data.ts';

type Kind = 'plain' | 'local' | 'label' | 'block' | 'func' | 'mem' | 'i32' | 'i64' | 'lanes';
interface OpInfo {
  readonly bytes: readonly number[];
  readonly kind: Kind;
  /** log2 of the natural alignment (memory instructions). */
  readonly align?: number;
}

const SIMD = 0xfd;
const plain = (...bytes: number[]): OpInfo => ({ bytes, kind: 'plain' });
const mem = (align: number, ...bytes: number[]): OpInfo => ({ bytes, kind: 'mem', align });
const simd = (code: number): number[] => [SIMD, ...uleb(code)];

const OPS: Readonly<Record<string, OpInfo>> = {
  block: { bytes: [0x02], kind: 'block' }, loop: { bytes: [0x03], kind: 'block' }, if: plain(0x04, 0x40), else: plain(0x05),
  end: plain(0x0b), br: { bytes: [0x0c], kind: 'label' }, br_if: { bytes: [0x0d], kind: 'label' }, return: plain(0x0f),
  call: { bytes: [0x10], kind: 'func' }, drop: plain(0x1a), select: plain(0x1b),
  'local.get': { bytes: [0x20], kind: 'local' }, 'local.set': { bytes: [0x21], kind: 'local' }, 'local.tee': { bytes: [0x22], kind: 'local' },
  'i32.load': mem(2, 0x28), 'i64.load': mem(3, 0x29), 'i32.load8_u': mem(0, 0x2d), 'i32.load16_s': mem(1, 0x2e),
  'i32.store': mem(2, 0x36), 'i64.store': mem(3, 0x37), 'f64.store': mem(3, 0x39),
  'i32.const': { bytes: [0x41], kind: 'i32' }, 'i64.const': { bytes: [0x42], kind: 'i64' },
  'i32.eqz': plain(0x45), 'i32.eq': plain(0x46), 'i32.ne': plain(0x47), 'i32.lt_s': plain(0x48), 'i32.lt_u': plain(0x49),
  'i32.gt_s': plain(0x4a), 'i32.ge_s': plain(0x4e), 'i32.ge_u': plain(0x4f),
  'i64.eqz': plain(0x50), 'i64.ne': plain(0x52), 'i64.lt_s': plain(0x53), 'i64.gt_s': plain(0x55),
  'i32.add': plain(0x6a), 'i32.sub': plain(0x6b), 'i32.mul': plain(0x6c), 'i32.and': plain(0x71), 'i32.or': plain(0x72),
  'i32.xor': plain(0x73), 'i32.shl': plain(0x74), 'i32.shr_s': plain(0x75), 'i32.shr_u': plain(0x76),
  'i64.add': plain(0x7c), 'i64.sub': plain(0x7d), 'i64.mul': plain(0x7e), 'i64.shl': plain(0x86), 'i64.shr_s': plain(0x87),
  'i32.wrap_i64': plain(0xa7), 'i64.extend_i32_s': plain(0xac), 'i64.extend_i32_u': plain(0xad), 'f64.convert_i64_s': plain(0xb9),
  'memory.copy': plain(0xfc, 10, 0, 0), 'memory.fill': plain(0xfc, 11, 0),
  'v128.load': mem(4, ...simd(0x00)), 'v128.load8x8_s': mem(3, ...simd(0x01)), 'v128.load16x4_s': mem(3, ...simd(0x03)),
  'v128.load32x2_s': mem(3, ...simd(0x05)), 'v128.store': mem(4, ...simd(0x0b)),
  'v128.const0': plain(...simd(0x0c), ...new Array<number>(16).fill(0)),
  'i8x16.shuffle': { bytes: simd(0x0d), kind: 'lanes' }, 'i16x8.splat': plain(...simd(0x10)), 'i32x4.splat': plain(...simd(0x11)), 'i64x2.splat': plain(...simd(0x12)),
  'i16x8.add': plain(...simd(0x8e)), 'i16x8.mul': plain(...simd(0x95)),
  'i32x4.add': plain(...simd(0xae)), 'i32x4.mul': plain(...simd(0xb5)), 'i32x4.extmul_low_i16x8_s': plain(...simd(0xbc)),
  'i32x4.extmul_high_i16x8_s': plain(...simd(0xbd)), 'i32x4.dot_i16x8_s': plain(...simd(0xba)),
  'i32x4.ne': plain(...simd(0x38)), 'i32x4.gt_s': plain(...simd(0x3b)), 'v128.and': plain(...simd(0x4e)),
  'v128.bitselect': plain(...simd(0x52)), 'i32x4.bitmask': plain(...simd(0xa4)), 'i32x4.shl': plain(...simd(0xab)),
  'i32x4.shr_s': plain(...simd(0xac)), 'i32x4.shr_u': plain(...simd(0xad)), 'i32x4.sub': plain(...simd(0xb1)),
  'i32x4.min_s': plain(...simd(0xb6)), 'i32x4.max_s': plain(...simd(0xb8)), 'i32.ctz': plain(0x68),
  'i64x2.add': plain(...simd(0xce)), 'i64x2.mul': plain(...simd(0xd5)),
  'i8x16.ne': plain(...simd(0x24)), 'i8x16.bitmask': plain(...simd(0x64)),
  'i16x8.extend_low_i8x16_u': plain(...simd(0x89)), 'i16x8.extend_high_i8x16_u': plain(...simd(0x8a)),
  'i32x4.extend_low_i16x8_u': plain(...simd(0xa9)), 'i32x4.extend_high_i16x8_u': plain(...simd(0xaa)),
};

const VALTYPE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function sleb(value: number | bigint): number[] {
  let n = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const named = (s: string): number[] => [...uleb(utf8(s).length), ...utf8(s)];
const section = (id: number, body: number[]): number[] => (body.length === 0 ? [] : [id, ...uleb(body.length), ...body]);

/** One function body: the locals grouped by type, then the instructions with names resolved. */
function body(fn: WasmFunction, funcIndex: ReadonlyMap<string, number>): number[] {
  const locals = new Map<string, number>();
  [...fn.params, ...fn.locals].forEach((l: Local, i) => locals.set(l.name, i));
  const out: number[] = [...vec(fn.locals.map((l) => [1, VALTYPE[l.type]]))];
  const labels: string[] = [];
  const index = (map: ReadonlyMap<string, number>, name: Immediate | undefined, what: string): number => {
    const i = map.get(String(name));
    if (i === undefined) throw new Error(`${fn.name}: unknown ${what} ${String(name)}`);
    return i;
  };
  for (const [name, ...imm] of fn.body as Code) {
    const info = OPS[name];
    if (!info) throw new Error(`${fn.name}: unknown instruction ${name}`);
    out.push(...info.bytes);
    switch (info.kind) {
      case 'plain':
        if (name === 'if') labels.push('');
        if (name === 'end') labels.pop();
        break;
      case 'block':
        out.push(0x40);
        labels.push(String(imm[0]));
        break;
      case 'label': {
        const depth = labels.length - 1 - labels.lastIndexOf(String(imm[0]));
        if (depth >= labels.length) throw new Error(`${fn.name}: branch to ${String(imm[0])} outside its block`);
        out.push(...uleb(depth));
        break;
      }
      case 'local':
        out.push(...uleb(index(locals, imm[0], 'local')));
        break;
      case 'func':
        out.push(...uleb(index(funcIndex, imm[0], 'function')));
        break;
      case 'mem':
        out.push(...uleb(info.align!), ...uleb(Number(imm[0] ?? 0)));
        break;
      case 'i32':
      case 'i64':
        out.push(...sleb(imm[0] as number | bigint));
        break;
      case 'lanes':
        if (imm.length !== 16 || imm.some((l) => typeof l !== 'number' || l < 0 || l > 31)) throw new Error(`${fn.name}: ${name} needs 16 lane indices`);
        out.push(...(imm as number[]));
        break;
    }
  }
  if (labels.length !== 0) throw new Error(`${fn.name}: ${labels.length} blocks left open`);
  out.push(0x0b);
  return [...uleb(out.length), ...out];
}

/** The binary encoding of `module`: types, functions, memory, exports, code and data sections. */
export function printWasm(module: WasmModule): Uint8Array {
  const fns = module.functions;
  const funcIndex = new Map(fns.map((f, i) => [f.name, i]));
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [VALTYPE[p.type]])), ...vec(f.result ? [[VALTYPE[f.result]]] : [])]);
  const exports = [[...named('memory'), 0x02, 0], ...fns.flatMap((f, i) => (f.exported ? [[...named(f.name), 0x00, ...uleb(i)]] : []))];
  const data = module.data.map((d) => [0x00, 0x41, ...sleb(d.offset), 0x0b, ...uleb(d.bytes.length), ...d.bytes]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(module.pages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(fns.map((f) => body(f, funcIndex)))),
    ...section(11, vec(data)),
  ];
  return Uint8Array.from(bytes);
}
