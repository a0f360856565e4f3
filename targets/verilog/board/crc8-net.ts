/** @fileoverview The CRC-8 step (protocol.ts) as a netlist expression: XORs of the bits of crc ^ byte, from crcXorTable. */
import { cat, index, num, reduceXor, xor, type Expr, type ModuleBuilder } from '../netlist.ts';
import { crcXorTable } from './protocol.ts';

/** The CRC after `byte`, given the CRC before it; declares the wire `${name}` = crc ^ byte. */
export function crcNext(b: ModuleBuilder, name: string, crc: Expr, byte: Expr): Expr {
  const x = b.wire(name, num(8));
  b.assign(x, xor(crc, byte));
  const bits = crcXorTable().map((taps) => (taps.length === 1 ? index(x, taps[0]!) : reduceXor(cat(...taps.map((j) => index(x, j))))));
  return cat(...bits.reverse());
}
