/**
 * @fileoverview The iCE40 board top (snn_icebreaker): the PLL from the board's oscillator to the core clock, the boot
 * loader that fills the loaded weight memory from the SPI flash, and snn_uart, held in reset until the load is done
 * (bytes sent during the boot are not seen; the busy LED stays lit until then). LEDs active low.
 */
import { cat, index, land, lit, lnot, lor, ModuleBuilder, not, num, set, str, type Module } from '../netlist.ts';
import type { LoadPlan } from '../load-plan.ts';
import type { Board, BoardClocking } from './boards.ts';
import type { PllSetting } from './ice40-pll.ts';

export function ice40TopModule(board: Board, clocking: BoardClocking, pll: PllSetting, load: LoadPlan, resultTimeoutCycles: number): Module {
  const flash = board.flash!;
  const b = new ModuleBuilder(board.top, `${board.title}: PLL to ${(pll.hz / 1e6).toFixed(3)} MHz, weights booted from flash, snn_uart at ${clocking.baud} baud`);
  const pad = b.input(board.clock.port);
  const button = b.input(board.reset.port);
  const rx = b.input(board.rx.port);
  const tx = b.output(board.tx.port);
  const leds = b.output(board.leds.port, num(2));
  const sck = b.output(flash.sck.port);
  const ssb = b.output(flash.ssb.port);
  const mosi = b.output(flash.mosi.port);
  const miso = b.input(flash.miso.port);
  const clk = b.wire('clk');
  const lock = b.wire('pll_lock');
  b.instance('SB_PLL40_PAD', 'pll', {
    FEEDBACK_PATH: str('SIMPLE'), DIVR: lit(pll.divr, 4), DIVF: lit(pll.divf, 7), DIVQ: lit(pll.divq, 3), FILTER_RANGE: lit(pll.filterRange, 3),
  }, { PACKAGEPIN: pad, PLLOUTCORE: clk, LOCK: lock, RESETB: lit(1, 1), BYPASS: lit(0, 1) });
  // The loader restarts only when the PLL (re)locks: the button resets the UART and the core, not the weights.
  const bootReset = b.reg('boot_reset', num(2), false, lit(3, 2));
  b.always(clk, [set(bootReset, cat(index(bootReset, 0), lnot(lock)))]);
  const loaded = b.wire('loaded');
  const we = b.wire('load_we');
  const addr = b.wire('load_addr', num(load.addrBits));
  const data = b.wire('load_data', num(load.width));
  b.instance('snn_flash_loader', 'loader', {}, {
    clk, rst: index(bootReset, 1), flash_sck: sck, flash_ssb: ssb, flash_mosi: mosi, flash_miso: miso,
    load_we: we, load_addr: addr, load_data: data, done: loaded,
  });
  const busy = b.wire('busy');
  const error = b.wire('error');
  b.instance('snn_uart', 'uart', {
    CLKS_PER_BIT: num(clocking.clksPerBit), SILENCE_CYCLES: num(clocking.silenceCycles), RESULT_TIMEOUT_CYCLES: num(resultTimeoutCycles),
  }, {
    clk, reset_n: land(button, loaded), uart_rx: rx, uart_tx: tx, led_busy: busy, led_error: error, load_we: we, load_addr: addr, load_data: data,
  });
  const busyLit = b.wire('led_busy');
  b.assign(busyLit, lor(busy, lnot(loaded)));
  b.assign(leds, not(cat(error, busyLit)));
  return b.build();
}
