/**
 * @fileoverview The boards `snnc compile --board` knows, as data: clock, pins, reset polarity and the files a vendor
 * flow needs. A board top (boardTopModule) only renames pins around the board-neutral snn_uart (top-uart.ts), so a new
 * board is one entry here plus its constraint and script text.
 */
import { SnncError } from '../../../base/errors.ts';
import { cat, lnot, ModuleBuilder, num, type Module } from '../netlist.ts';
import { MAX_TIMER_BITS } from './uart.ts';

/** The UART speed of every board unless it says otherwise: an FT2232H (Arty) and most USB-UART bridges carry it. */
export const DEFAULT_BAUD = 1_000_000;
/** A UART tolerates a few percent of clock mismatch; the divider must come within this. */
export const MAX_BAUD_ERROR_PERCENT = 1;

export interface Pin {
  readonly port: string;
  readonly pin: string;
}

export interface Board {
  readonly name: string;
  readonly title: string;
  readonly top: string;
  readonly clockHz: number;
  readonly clock: Pin;
  /** The reset button; `activeLow` when pressing pulls it low. */
  readonly reset: Pin & { readonly activeLow: boolean };
  /** rx: the FPGA receives (the bridge's TXD); tx: the FPGA sends. */
  readonly rx: Pin;
  readonly tx: Pin;
  /** LED port, one bit each: [busy, error]. */
  readonly leds: { readonly port: string; readonly pins: readonly [string, string] };
  readonly iostandard: string;
  /** Vivado part (or the vendor's equivalent). */
  readonly part: string;
  /** xilinx: a Vivado script; ice40: the open flow (yosys, nextpnr-ice40, icepack), a PLL and loaded weights. */
  readonly family: 'xilinx' | 'ice40';
  /** The LEDs light when driven low. */
  readonly ledsActiveLow?: boolean;
  /** The configuration flash on user pins after boot: where loaded weights come from (ice40). */
  readonly flash?: { readonly sck: Pin; readonly ssb: Pin; readonly mosi: Pin; readonly miso: Pin };
  /** Lanes when `--lanes` / `--later-lanes` are not given (else the verilog target's default, every layer alike). */
  readonly defaultLanes?: { readonly lanes: number; readonly laterLanes: number };
}

export const BOARDS: readonly Board[] = [
  {
    name: 'arty-a7', title: 'Digilent Arty A7-35T', top: 'snn_arty_a7', clockHz: 100_000_000,
    clock: { port: 'CLK100MHZ', pin: 'E3' }, reset: { port: 'ck_rst', pin: 'C2', activeLow: true },
    rx: { port: 'uart_txd_in', pin: 'A9' }, tx: { port: 'uart_rxd_out', pin: 'D10' },
    leds: { port: 'led', pins: ['H5', 'J5'] }, iostandard: 'LVCMOS33', part: 'xc7a35ticsg324-1L', family: 'xilinx',
  },
  {
    // Pins as the iCEBreaker's own constraints name them; the FT2232H's second channel is the UART.
    name: 'icebreaker', title: '1BitSquared iCEBreaker (iCE40UP5K-SG48)', top: 'snn_icebreaker', clockHz: 12_000_000,
    clock: { port: 'CLK', pin: '35' }, reset: { port: 'BTN_N', pin: '10', activeLow: true },
    rx: { port: 'RX', pin: '6' }, tx: { port: 'TX', pin: '9' },
    // [busy: the green LED, error: the red one]
    leds: { port: 'LED_N', pins: ['37', '11'] }, ledsActiveLow: true, iostandard: 'SB_LVCMOS', part: 'up5k-sg48', family: 'ice40',
    flash: { sck: { port: 'FLASH_SCK', pin: '15' }, ssb: { port: 'FLASH_SSB', pin: '16' }, mosi: { port: 'FLASH_IO0', pin: '14' }, miso: { port: 'FLASH_IO1', pin: '17' } },
    // mnist-snn places at 4 hidden lanes and 1 output lane (94 % of the logic cells, results/hardware.md).
    defaultLanes: { lanes: 4, laterLanes: 1 },
  },
];

export const BOARD_NAMES = BOARDS.map((b) => b.name);

export function findBoard(name: string): Board {
  const board = BOARDS.find((b) => b.name === name);
  if (!board) throw new SnncError('usage', `--board: "${name}" is not one of ${BOARD_NAMES.join(', ')}`);
  return board;
}

export interface BoardClocking {
  readonly baud: number;
  readonly clksPerBit: number;
  /** (actual baud - wanted) / wanted, in percent. */
  readonly baudErrorPercent: number;
  /** 50 ms of silence ends a request early. */
  readonly silenceCycles: number;
}

/** `coreHz`: the clock the design runs on (the board's, or its PLL's output). */
export function boardClocking(board: Board, baud = DEFAULT_BAUD, coreHz = board.clockHz): BoardClocking {
  const clksPerBit = Math.round(coreHz / baud);
  const baudErrorPercent = ((coreHz / clksPerBit - baud) / baud) * 100;
  if (clksPerBit < 4 || clksPerBit >= 2 ** MAX_TIMER_BITS || Math.abs(baudErrorPercent) > MAX_BAUD_ERROR_PERCENT) {
    throw new SnncError('usage', `${board.name}: ${baud} baud from ${coreHz} Hz is ${baudErrorPercent.toFixed(2)} % off (divider ${clksPerBit}); choose a baud or clock within ${MAX_BAUD_ERROR_PERCENT} %`);
  }
  return { baud, clksPerBit, baudErrorPercent, silenceCycles: Math.round(coreHz / 20) };
}

/** The board's top: its pin names around snn_uart. */
export function boardTopModule(board: Board, clocking: BoardClocking, resultTimeoutCycles: number): Module {
  const b = new ModuleBuilder(board.top, `${board.title}: snn_uart on the board's pins (${clocking.baud} baud at ${board.clockHz} Hz)`);
  const clk = b.input(board.clock.port);
  const reset = b.input(board.reset.port);
  const rx = b.input(board.rx.port);
  const tx = b.output(board.tx.port);
  const leds = b.output(board.leds.port, num(2));
  const busy = b.wire('busy');
  const error = b.wire('error');
  b.instance('snn_uart', 'uart', {
    CLKS_PER_BIT: num(clocking.clksPerBit), SILENCE_CYCLES: num(clocking.silenceCycles), RESULT_TIMEOUT_CYCLES: num(resultTimeoutCycles),
  }, { clk, reset_n: board.reset.activeLow ? reset : lnot(reset), uart_rx: rx, uart_tx: tx, led_busy: busy, led_error: error });
  b.assign(leds, cat(error, busy));
  return b.build();
}

