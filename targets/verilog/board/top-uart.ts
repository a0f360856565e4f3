/**
 * @fileoverview snn_uart: the board-neutral UART top. A raw reset (any polarity is the board top's business: here
 * active low, synchronised), the receiver and transmitter (uart.ts), the request parser (frame-rx.ts), the AXI4-Stream
 * core (snn_axis) and the reply sender (frame-tx.ts); two status outputs for LEDs. Every board top wraps this one.
 */
import { cat, eq, if_, index, land, lit, lnot, lor, ModuleBuilder, num, set, type Module } from '../netlist.ts';
import { loadInputs } from '../load-ports.ts';
import { registerStage } from '../register-slice.ts';
import { KIND_NAK, type BoardPlan } from './board-plan.ts';

export function uartTopModule(bp: BoardPlan): Module {
  const inBits = 8 * bp.inBytes;
  const outBits = 8 * bp.outBytes;
  const b = new ModuleBuilder('snn_uart', 'the design behind a UART (docs/uart-protocol.md), board-neutral');
  const clksPerBit = b.param('CLKS_PER_BIT', num(100), 'clock cycles per UART bit (clock / baud)');
  const silence = b.param('SILENCE_CYCLES', num(5_000_000), 'cycles without a byte that end a request early');
  const resultTimeout = b.param('RESULT_TIMEOUT_CYCLES', num(bp.resultTimeoutCycles), 'cycles to wait for the core\'s first score');
  const clk = b.input('clk');
  const resetN = b.input('reset_n');
  const rxPin = b.input('uart_rx');
  const txPin = b.output('uart_tx');
  const ledBusy = b.output('led_busy');
  const ledError = b.output('led_error');
  const load = loadInputs(b, bp.load);

  // Reset: asserted at configuration and while reset_n is low, released synchronously.
  const resetSync = b.reg('reset_sync', num(2), false, lit(3, 2));
  const rst = b.wire('rst');
  b.always(clk, [set(resetSync, cat(index(resetSync, 0), lnot(resetN)))]);
  b.assign(rst, index(resetSync, 1));

  const w = (name: string, bits?: number) => b.wire(name, bits === undefined ? undefined : num(bits));
  const rxValid = w('rx_valid');
  const rxByte = w('rx_byte', 8);
  const txValid = w('tx_valid');
  const txReady = w('tx_ready');
  const txByte = w('tx_byte', 8);
  // frame_rx -> stage -> snn_axis -> stage -> frame_tx: one-entry register stages (register-slice.ts), so no handshake
  // path runs from a framer across the chip into the core and back (such paths led nextpnr's timing report).
  const beatValid = w('beat_tvalid');
  const beatReady = w('beat_tready');
  const beatData = w('beat_tdata', inBits);
  const beatLast = w('beat_tlast');
  const mValid = w('m_axis_tvalid');
  const mReady = w('m_axis_tready');
  const mData = w('m_axis_tdata', outBits);
  const mLast = w('m_axis_tlast');
  const fingerprint = w('fingerprint', 32);
  const cycles = w('cycles_last', 32);
  const coreError = w('core_error');
  const reqValid = w('reply_valid');
  const reqReady = w('reply_ready');
  const reqKind = w('reply_kind', 2);
  const reqCode = w('reply_code', 8);
  const rxBusy = w('rx_busy');
  const txBusy = w('tx_busy');
  const coreReset = w('core_reset');
  // The core's reset as a register: rst OR the reply framer's timeout reset reached every core register through LUTs.
  const coreResetN = b.reg('core_resetn');
  const linkError = b.reg('link_error');
  b.always(clk, [set(coreResetN, lnot(lor(rst, coreReset)))]);
  // The stages are part of the core's side: its reset empties them too.
  const stageRst = w('stage_rst');
  b.assign(stageRst, lnot(coreResetN));
  const inStage = registerStage(b, clk, stageRst, 'in_stage', { valid: beatValid, ready: beatReady }, [
    { name: 'data', value: beatData, bits: inBits }, { name: 'last', value: beatLast, bits: 1 },
  ]);
  const outStage = registerStage(b, clk, stageRst, 'out_stage', { valid: mValid, ready: mReady }, [
    { name: 'data', value: mData, bits: outBits }, { name: 'last', value: mLast, bits: 1 },
  ]);

  b.instance('snn_uart_rx', 'receiver', { CLKS_PER_BIT: clksPerBit }, { clk, rst, rx: rxPin, out_valid: rxValid, out_byte: rxByte });
  b.instance('snn_frame_rx', 'requests', { SILENCE_CYCLES: silence }, {
    clk, rst, in_valid: rxValid, in_byte: rxByte, s_axis_tvalid: beatValid, s_axis_tready: beatReady, s_axis_tdata: beatData, s_axis_tlast: beatLast,
    reply_valid: reqValid, reply_ready: reqReady, reply_kind: reqKind, reply_code: reqCode, tx_busy: txBusy, busy: rxBusy,
  });
  b.instance('snn_axis', 'core', {}, {
    aclk: clk, aresetn: coreResetN, s_axis_tvalid: inStage.valid, s_axis_tready: inStage.ready, s_axis_tdata: inStage.fields.data!, s_axis_tlast: inStage.fields.last!,
    m_axis_tvalid: mValid, m_axis_tready: mReady, m_axis_tdata: mData, m_axis_tlast: mLast, fingerprint, cycles_last: cycles, error: coreError, ...load,
  });
  b.instance('snn_frame_tx', 'replies', { RESULT_TIMEOUT_CYCLES: resultTimeout }, {
    clk, rst, req_valid: reqValid, req_ready: reqReady, req_kind: reqKind, req_code: reqCode,
    m_axis_tvalid: outStage.valid, m_axis_tready: outStage.ready, m_axis_tdata: outStage.fields.data!, m_axis_tlast: outStage.fields.last!, fingerprint, cycles, error: coreError,
    out_valid: txValid, out_ready: txReady, out_byte: txByte, busy: txBusy, core_reset: coreReset,
  });
  b.instance('snn_uart_tx', 'transmitter', { CLKS_PER_BIT: clksPerBit }, { clk, rst, in_valid: txValid, in_ready: txReady, in_byte: txByte, tx: txPin });

  // The error LED: the core's sticky flag, or any NAK sent since reset (a NAK 5 resets the core and its flag).
  b.always(clk, [
    if_(rst, [set(linkError, lit(0, 1))], [
      if_(lor(land(land(reqValid, reqReady), eq(reqKind, lit(KIND_NAK, 2))), coreReset), [set(linkError, lit(1, 1))]),
    ]),
  ]);
  b.assign(ledError, lor(coreError, linkError));
  // Busy while a request or reply is under way, including the last byte still on the wire.
  b.assign(ledBusy, lor(lor(rxBusy, txBusy), lnot(txReady)));
  return b.build();
}
