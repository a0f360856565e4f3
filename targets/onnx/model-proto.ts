/** @fileoverview The ModelProto around a graph: opset, IR version, producer, and provenance metadata for Netron. */
import { SNNC_VERSION } from '../../base/version.ts';
import type { IrEncoder } from '../../ir/encoder.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import type { Program } from '../../ir/program.ts';
import { onnx, type GraphProto } from './proto.ts';

/**
 * Opset 17, the newest that Debian's python3-onnx (1.12) checks; nothing here needs 18 (the jitter generator does its
 * GF(2) arithmetic with MatMul and Mod rather than the BitwiseXor of opset 18).
 */
export const OPSET = 17;
/** ONNX IR version 8, which ONNX 1.12 pairs with opset 17. */
export const IR_VERSION = 8;

function encoderText(encoder: IrEncoder): string {
  switch (encoder.kind) {
    case 'jitter':
      return `jitter xorshift32, ${encoder.jitterBits} bits`;
    case 'direct':
      return 'direct';
    case 'events': {
      const { source, binUs, startUs } = encoder.binning;
      return source === 'frames' ? 'events, frames given' : `events, ${source} binned ${binUs} us per timestep from ${startUs} us`;
    }
  }
}

export function modelBytes(graph: GraphProto, program: Program, doc: string, extraMetadata: Readonly<Record<string, string>>): Uint8Array {
  const metadata: Record<string, string> = {
    'snnc.program_sha256': programSha256(program),
    'snnc.source_sha256': program.sourceSha256,
    'snnc.program': program.name,
    'snnc.timesteps': String(program.timesteps),
    'snnc.classes': String(program.classes),
    'snnc.encoder': encoderText(program.encoder),
    'snnc.inputs': program.encoder.kind === 'events'
      ? `frames uint8 [N, T, C, H, W] (event counts, x_t = frame t); seed int64 [N] (unused)`
      : 'image uint8 [N, C, H, W]; seed int64 [N] (low 32 bits = uint32 seed)',
    'snnc.outputs': 'scores int64 [N, K]; label int64 [N]',
    ...extraMetadata,
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'snnc',
    producerVersion: SNNC_VERSION,
    domain: 'org.snnc',
    modelVersion: 1,
    docString: doc,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
