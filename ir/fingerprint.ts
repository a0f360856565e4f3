/**
 * @fileoverview The one program fingerprint: sha256 of a program's canonical JSON (sorted keys), so key order never
 * matters. Every target records it (the ts model's modelInfo, the verilog design.json, the ONNX metadata) and checks it
 * before running files against a program; `snnc compile` writes it into the output marker. Fields that the IR added later are left out at their defaults (conv stride 1 and padding 0, the dense synapse, the
 * membrane readout), so a program written before they existed keeps its fingerprint and its emitted model stays valid.
 * Absent optional fields (a spiking op's recurrent and synaptic) are not in the canonical JSON, for the same reason.
 */
import { createHash } from 'node:crypto';
import type { IrLayer, Program } from './program.ts';
import { unreachable } from './registry.ts';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutDefaults(op: IrLayer): object {
  switch (op.kind) {
    case 'conv':
      return { ...op, stride: op.stride === 1 ? undefined : op.stride, padding: op.padding === 0 ? undefined : op.padding };
    case 'spiking':
      return { ...op, synapse: op.synapse === 'dense' ? undefined : op.synapse };
    case 'pool':
      return op;
    default:
      return unreachable(op, 'layer kind');
  }
}

export function programSha256(program: Program): string {
  const readout = { ...program.readout, source: program.readout.source === 'membrane' ? undefined : program.readout.source };
  return createHash('sha256').update(canonical({ ...program, layers: program.layers.map(withoutDefaults), readout })).digest('hex');
}
