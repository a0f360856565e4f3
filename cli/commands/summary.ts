/** @fileoverview The build summary (summary.md and summary.json): what was compiled, at which widths, into what. */
import { formatType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import { loweringChecks } from '../../compiler/lower.ts';

export interface SummaryFacts {
  readonly compileMs: number;
  readonly emitted: readonly { target: string; files: readonly { path: string; bytes: number }[] }[];
  readonly skipped: readonly { target: string; reason: string }[];
}

export function buildSummary(program: Program, facts: SummaryFacts): { json: object; text: string } {
  const layers = program.layers.map((op) => {
    switch (op.kind) {
      case 'conv':
        return { name: op.name, kind: op.kind, weights: op.weights.length, weightType: formatType(op.weightType), accType: formatType(op.accType), outType: formatType(op.outType) };
      case 'pool':
        return { name: op.name, kind: `${op.kind} ${op.mode}`, weights: 0, weightType: '-', accType: '-', outType: formatType(op.outType) };
      case 'spiking':
        return {
          name: op.name, kind: op.synapse === 'identity' ? 'spiking identity' : op.kind, weights: op.weights.length,
          weightType: op.synapse === 'identity' ? '-' : formatType(op.weightType), accType: formatType(op.accType), membraneType: formatType(op.membraneType), outType: formatType(op.output.type),
        };
      default:
        return unreachable(op, 'layer kind');
    }
  });
  const checks = loweringChecks(program);
  const agreement = checks && checks.agreement.images > 0 ? checks.agreement : undefined;
  const json = {
    name: program.name,
    sourceSha256: program.sourceSha256,
    timesteps: program.timesteps,
    quantization: program.quantization,
    layers,
    scoreType: formatType(program.readout.scoreType),
    compileMs: Math.round(facts.compileMs),
    targets: facts.emitted,
    skipped: facts.skipped,
    ...(agreement ? { calibrationAgreement: agreement } : {}),
    ...(checks ? { warnings: checks.warnings } : {}),
  };
  const text = [
    `# ${program.name}`,
    '',
    `- source sha256: ${program.sourceSha256}`,
    `- timesteps: ${program.timesteps}; encoder: ${program.encoder.kind}`,
    `- ${program.quantization.weightBits}-bit weights per ${program.quantization.granularity}, ${program.quantization.activationBits}-bit activations; ${calibrationLine(program)}`,
    ...(agreement ? [`- fixed point vs float on the first ${agreement.images} calibration images: ${agreement.agree} labels agree (${((100 * agreement.agree) / agreement.images).toFixed(1)} %)`] : []),
    `- membrane saturation: ${program.quantization.provenNoSaturation ? 'proven impossible by range analysis' : 'possible; clamped as docs/ir.md states'}`,
    `- compile time: ${(facts.compileMs / 1000).toFixed(2)} s`,
    '',
    '| layer | kind | weights | weight | accumulator | membrane | output |',
    '|---|---|---|---|---|---|---|',
    ...layers.map((l) => `| ${l.name} | ${l.kind} | ${l.weights} | ${l.weightType} | ${l.accType} | ${'membraneType' in l ? l.membraneType : '-'} | ${l.outType} |`),
    '',
    `Scores: ${formatType(program.readout.scoreType)}.`,
    '',
    ...(checks && checks.warnings.length > 0 ? ['## Warnings', ...checks.warnings.map((w) => `- ${w}`), ''] : []),
    '## Targets',
    ...facts.emitted.map((e) => `- ${e.target}: ${e.files.map((f) => `${f.path} (${f.bytes} bytes)`).join(', ')}`),
    ...facts.skipped.map((s) => `- ${s.target}: skipped (${s.reason})`),
    '',
  ];
  return { json, text: text.join('\n') };
}

/** How the formats were chosen: on data, or from worst-case bounds (`--calibration none`: no images). */
function calibrationLine(program: Program): string {
  const c = program.quantization.calibration;
  const samples = program.encoder.kind === 'events' ? 'event samples' : 'images';
  return c.images === 0 ? 'formats from worst-case bounds (--calibration none, no data)' : `calibrated on ${c.images} ${c.dataset} ${samples}`;
}
