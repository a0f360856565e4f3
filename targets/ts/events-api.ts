/**
 * @fileoverview The event-list API of a generated events model, as ts-morph structures: the event types, `binEvents`
 * (this model's binning, emitted with its constants so a test bench needs only the module) and `inferEvents`. The
 * binning is data/events.ts `binEvents`, the one definition (docs/ir.md "Event input"), rule for rule and message for
 * message; targets/ts/test/events.test.ts holds the two equal.
 *   b = floor((t - startUs) / binUs), kept when 0 <= b < T, else counted in `dropped`
 *   dvs: c = p for a 2-channel input, 0 for 1 channel; f[b, (c * H + y) * W + x] = min(max, f + 1)
 *   channels: f[b, n] = min(max, f + 1)
 */
import { StructureKind, VariableDeclarationKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure, type VariableStatementStructure } from 'ts-morph';
import type { EventBinning } from '../../ir/encoder.ts';
import { maxOf } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import { eventBinning, eventTypeName } from './plan.ts';
import { BLANK_LINE, type ModuleStatement } from './print.ts';

function eventType(source: 'dvs' | 'channels'): InterfaceDeclarationStructure {
  const field = (name: string, doc?: string) => ({ name, type: 'ArrayLike<number>', isReadonly: true, docs: doc ? [doc] : [] });
  const time = field('t', 'Times in whole microseconds (any order).');
  return source === 'dvs'
    ? {
      kind: StructureKind.Interface, isExported: true, name: 'DvsEvents',
      docs: ['Events of a DVS camera, one entry per event in each array (data/events.ts DvsEvents of snnc fits).'],
      properties: [field('x'), field('y'), field('p', 'Polarity: 0 OFF, 1 ON.'), time],
    }
    : {
      kind: StructureKind.Interface, isExported: true, name: 'ChannelEvents',
      docs: ['Events of a multi-channel sensor (a cochlea), one entry per event in each array (data/events.ts ChannelEvents of snnc fits).'],
      properties: [field('channel'), time],
    };
}

/** The loop body that finds event e's index in a frame (`index`), refusing what data/events.ts refuses. */
function indexLines(program: Program, source: 'dvs' | 'channels'): string[] {
  const [channels, height, width] = program.input.shape;
  if (source === 'channels') {
    const size = channels * height * width;
    return [
      'const index = events.channel[e]!;',
      `if (!(Number.isInteger(index) && index >= 0 && index < ${size})) throw new RangeError(\`event \${e}: channel \${index} is outside the ${size} input channels\`);`,
    ];
  }
  return [
    'const x = events.x[e]!, y = events.y[e]!, p = events.p[e]!;',
    `if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < ${width} && y < ${height})) throw new RangeError(\`event \${e}: (x \${x}, y \${y}) is outside the ${width}x${height} input\`);`,
    "if (p !== 0 && p !== 1) throw new RangeError(`event ${e}: polarity ${p} is not 0 or 1`);",
    channels === 2
      ? `const index = (p * ${height} + y) * ${width} + x; // channel = polarity`
      : `const index = y * ${width} + x; // both polarities count in the one channel`,
  ];
}

function binInto(program: Program, binning: EventBinning & { readonly source: 'dvs' | 'channels' }): FunctionDeclarationStructure {
  const { timesteps } = program;
  const top = maxOf(program.input.type);
  const arrays = binning.source === 'dvs' ? ['x', 'y', 'p'] : ['channel'];
  const shift = binning.startUs === 0 ? 't' : `(t - ${binning.startUs})`;
  return {
    kind: StructureKind.Function, name: 'binInto',
    docs: ['Adds the events to zeroed `frames` (T * PIXELS); returns how many fell outside the window.'],
    parameters: [{ name: 'events', type: eventTypeName(binning.source) }, { name: 'frames', type: 'Uint8Array' }],
    returnType: 'number',
    statements: [`const n = events.t.length;
if (${arrays.map((a) => `events.${a}.length !== n`).join(' || ')}) throw new RangeError(\`events: ${[...arrays, 't'].join(', ')} differ in length\`);
let dropped = 0;
for (let e = 0; e < n; e++) {
  const t = events.t[e]!;
  if (!Number.isInteger(t) || t < 0) throw new RangeError(\`event \${e}: time \${t} us is not a whole number >= 0\`);
  const bin = Math.floor(${shift} / ${binning.binUs});
${indexLines(program, binning.source).map((line) => `  ${line}`).join('\n')}
  if (bin < 0 || bin >= ${timesteps}) {
    dropped++;
    continue;
  }
  const at = bin * PIXELS + index;
  if (frames[at]! < ${top}) frames[at]!++;
}
return dropped;`],
  };
}

/** The event-list API: types, binEvents, inferEvents and their helpers; none for a program that takes frames only. */
export function eventStatements(program: Program): ModuleStatement[] {
  const binning = eventBinning(program);
  if (binning === undefined) return [];
  const type = eventTypeName(binning.source);
  const buffer: VariableStatementStructure = {
    kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const,
    docs: ['The frames inferEvents bins into (zeroed before each use).'],
    declarations: [{ name: 'EVENT_FRAMES', initializer: `new Uint8Array(${program.timesteps * program.input.shape.reduce((a, b) => a * b, 1)})` }],
  };
  const bin: FunctionDeclarationStructure = {
    kind: StructureKind.Function, isExported: true, name: 'binEvents',
    docs: [`Bins events into the ${program.timesteps} frames that \`infer\` takes, exactly as snnc does (docs/ir.md "Event input"):
bin b = floor(${binning.startUs === 0 ? 't' : `(t - ${binning.startUs})`} / ${binning.binUs}), kept when 0 <= b < ${program.timesteps}, else counted in \`dropped\`; each count saturates
at ${maxOf(program.input.type)}. Throws RangeError on a time that is not a whole number >= 0, ${binning.source === 'dvs' ? 'a coordinate outside the input or a polarity\nother than 0/1' : 'a channel outside the input'}; an empty list gives zero frames.`],
    parameters: [{ name: 'events', type }],
    returnType: '{ frames: Uint8Array; dropped: number }',
    statements: [`const frames = new Uint8Array(${program.timesteps} * PIXELS);
return { frames, dropped: binInto(events, frames) };`],
  };
  const infer: FunctionDeclarationStructure = {
    kind: StructureKind.Function, isExported: true, name: 'inferEvents',
    docs: ['`infer(binEvents(events).frames, seed)`, without allocating the frames; `dropped` as binEvents counts it.'],
    parameters: [{ name: 'events', type }, { name: 'seed', type: 'number' }],
    returnType: 'InferResult & { readonly dropped: number }',
    statements: [`EVENT_FRAMES.fill(0);
const dropped = binInto(events, EVENT_FRAMES);
return { ...infer(EVENT_FRAMES, seed), dropped };`],
  };
  return [eventType(binning.source), bin, infer, buffer, binInto(program, binning)].flatMap((s) => [BLANK_LINE, s]);
}
