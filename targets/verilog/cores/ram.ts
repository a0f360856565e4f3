/**
 * @fileoverview snn_ram: one write port, one registered read port with enable. Written so that yosys infers block
 * RAM (or a ROM when the write port is tied off); initialised from a $readmemh file or to zeros.
 */
import { eq, if_, index, let_, ModuleBuilder, num, ref, set, task, type Module } from '../netlist.ts';

export function ramModule(): Module {
  const b = new ModuleBuilder('snn_ram', 'synchronous RAM/ROM, one write and one registered read port');
  const width = b.param('WIDTH', num(8), 'bits per word');
  const depth = b.param('DEPTH', num(16), 'words');
  const addrBits = b.param('ADDR_BITS', num(4), 'address bits, >= clog2(DEPTH)');
  b.param('HAS_INIT', num(0), '1: load INIT_FILE with $readmemh; 0: start at zero');
  b.stringParam('INIT_FILE', '', 'memory image, hex words');
  const clk = b.input('clk');
  const re = b.input('re');
  const raddr = b.input('raddr', addrBits);
  const rdata = b.output('rdata', width, { reg: true });
  const we = b.input('we');
  const waddr = b.input('waddr', addrBits);
  const wdata = b.input('wdata', width);
  const mem = b.memory('mem', width, depth);
  b.generateIf('image', eq(ref('HAS_INIT'), num(1)), (g) => g.initial([task('$readmemh', ref('INIT_FILE'), mem)]), (g) => {
    const i = g.integer('i');
    g.initial([{ kind: 'for', variable: 'i', from: num(0), below: depth, body: [let_(index(mem, i), num(0))] }]);
  });
  b.always(clk, [
    if_(we, [set(index(mem, waddr), wdata)]),
    if_(re, [set(rdata, index(mem, raddr))]),
  ]);
  return b.build();
}
