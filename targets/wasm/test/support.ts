/** @fileoverview Programs of the wasm target's own tests: the example of docs/ir.md and variants of it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { parseProgram, validateProgram } from '../../../ir/validate.ts';

const IR_MD = fileURLToPath(new URL('../../../docs/ir.md', import.meta.url));

/** The one json block of docs/ir.md: 4 pixels, jitter, dense 4 -> 3 -> 2; the doc states its scores. */
export function docExample(): Program {
  const block = /```json\n([\s\S]*?)```/.exec(readFileSync(IR_MD, 'utf8'));
  return parseProgram(block![1]!, 'docs/ir.md');
}

/**
 * The doc example with 16-bit excess outputs (shift 0) from the hidden layer, so the output layer reads values up
 * to 65535 (beyond int16), and output weights scaled by `weightScale` (large enough, the partial sums pass int32).
 */
export function wideInputs(weightScale: number): Program {
  const p = docExample();
  const [hidden, out] = p.layers as [SpikingOp, SpikingOp];
  const u16 = { signed: false, bits: 16, frac: 15 };
  return validateProgram({
    ...p,
    name: `doc-example-wide-${weightScale}`,
    layers: [
      { ...hidden, output: { kind: 'excess', shift: 0, type: u16 } },
      {
        ...out, inType: u16, weights: out.weights.map((w) => Math.max(-32768, Math.min(32767, w * weightScale))),
        weightType: { signed: true, bits: 16, frac: 7 }, accType: { signed: true, bits: 48, frac: 15 }, membraneType: { signed: true, bits: 32, frac: 15 },
      },
    ],
    readout: { ...p.readout, scoreType: { signed: true, bits: 48, frac: 15 } },
  });
}

/** The global WebAssembly API (not in this project's TypeScript lib settings), typed as far as the tests use it. */
export const wasmApi = (globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }>;
  };
}).WebAssembly;
