/**
 * @fileoverview snn_spram: the loaded weight memory (plan.load) on the iCE40 UP5K's single-port SPRAM, the
 * SB_SPRAM256KA blocks (16K words of 16 bits, four on the part). Words wider than 16 bits take blocks side by side,
 * more than 16K words take rows of them; one port, so a write (the boot loader) and a read never share a cycle. Same
 * ports as snn_ram and the same read timing: rdata is the word of raddr one clock after re, held while re is low.
 */
import { SnncError } from '../../../base/errors.ts';
import { cat, type Expr, cond, eq, if_, land, lit, lor, ModuleBuilder, num, range, set, type Module } from '../netlist.ts';
import type { LoadPlan } from '../load-plan.ts';

export const SPRAM_WORDS = 16384;
export const SPRAM_BITS = 16;
export const SPRAM_BLOCKS = 4;

export interface SpramShape {
  readonly rows: number;
  readonly columns: number;
}

export function spramShape(load: LoadPlan): SpramShape {
  const shape = { rows: Math.ceil(load.words / SPRAM_WORDS), columns: Math.ceil(load.width / SPRAM_BITS) };
  if (shape.rows * shape.columns > SPRAM_BLOCKS) {
    throw new SnncError('usage', `loaded weights: ${load.words} words of ${load.width} bits need ${shape.rows * shape.columns} SPRAM blocks; the UP5K has ${SPRAM_BLOCKS} (use fewer --lanes)`);
  }
  return shape;
}

export function spramModule(load: LoadPlan): Module {
  const { rows, columns } = spramShape(load);
  const b = new ModuleBuilder('snn_spram', `${load.words} x ${load.width} bits on ${rows * columns} SB_SPRAM256KA (${rows} row(s) of ${columns})`);
  const clk = b.input('clk');
  const re = b.input('re');
  const raddr = b.input('raddr', num(load.addrBits));
  const rdata = b.output('rdata', num(load.width));
  const we = b.input('we');
  const waddr = b.input('waddr', num(load.addrBits));
  const wdata = b.input('wdata', num(load.width));
  const padded = columns * SPRAM_BITS;
  const addr = b.wire('addr', num(load.addrBits));
  const wide = b.wire('wdata_padded', num(padded));
  const chipSelect = b.wire('chip_select');
  b.assign(addr, cond(we, waddr, raddr));
  b.assign(wide, padded > load.width ? cat(lit(0, padded - load.width), wdata) : wdata);
  b.assign(chipSelect, lor(we, re));
  const rowBits = load.addrBits - 14;
  const row = rows > 1 ? range(addr, load.addrBits - 1, 14) : undefined;
  const rowQ = row ? b.reg('row_q', num(rowBits)) : undefined;
  if (row && rowQ) b.always(clk, [if_(re, [set(rowQ, row)])]);
  const outs: Expr[] = [];
  for (let r = 0; r < rows; r++) {
    const out = b.wire(`row${r}_data`, num(padded));
    outs.push(out);
    const selected = row ? eq(row, lit(r, rowBits)) : lit(1, 1);
    for (let c = 0; c < columns; c++) {
      b.instance('SB_SPRAM256KA', `block_r${r}_c${c}`, {}, {
        ADDRESS: load.addrBits >= 14 ? range(addr, 13, 0) : cat(lit(0, 14 - load.addrBits), addr), DATAIN: range(wide, 16 * c + 15, 16 * c), MASKWREN: lit(15, 4),
        WREN: land(we, selected), CHIPSELECT: chipSelect, CLOCK: clk, STANDBY: lit(0, 1), SLEEP: lit(0, 1), POWEROFF: lit(1, 1),
        DATAOUT: range(out, 16 * c + 15, 16 * c),
      });
    }
  }
  let word = outs[0]!;
  for (let r = 1; r < rows; r++) word = cond(eq(rowQ!, lit(r, rowBits)), outs[r]!, word);
  const picked = b.wire('picked', num(padded));
  b.assign(picked, word);
  b.assign(rdata, range(picked, load.width - 1, 0));
  return b.build();
}
