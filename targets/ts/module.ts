/**
 * @fileoverview Builds the generated model.ts as data: a ts-morph source file structure (header, API, model facts,
 * embedded constants and buffers, the `run` function) that print.ts turns into text.
 */
import { StructureKind, VariableDeclarationKind, type JSDocStructure } from 'ts-morph';
import { apiStatements } from './api.ts';
import { declarations, declarationStatements, PACK_LANES } from './declarations.ts';
import { headerLines } from './describe.ts';
import type { ModelPlan } from './plan.ts';
import { BLANK_LINE, type ModuleStatement, type ModuleStructure } from './print.ts';
import { runFunction } from './run-function.ts';

function header(plan: ModelPlan): JSDocStructure {
  const [first, ...rest] = headerLines(plan);
  const tag = '@fileoverview ';
  if (first === undefined || !first.startsWith(tag)) throw new Error('the header starts with its @fileoverview line');
  return { kind: StructureKind.JSDoc, tags: [{ kind: StructureKind.JSDocTag, tagName: 'fileoverview', text: [first.slice(tag.length), ...rest].join('\n') }] };
}

/** The structure of `model.ts` for a planned program. */
export function buildModule(plan: ModelPlan, programSha256: string): ModuleStructure {
  const decls = declarations(plan);
  const packs = plan.layers.some((p) => p.kind === 'spiking' && p.packing !== undefined);
  const statements: ModuleStatement[] = [
    ...apiStatements(plan, programSha256),
    BLANK_LINE,
    {
      kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, docs: [plan.encoder.kind === 'events' ? 'Event counts per frame (CHW).' : 'Pixels per image (CHW).'],
      declarations: [{ name: 'PIXELS', initializer: String(plan.encoder.pixels) }],
    },
    // Two blank lines after packLanes: the layout of every model.ts emitted so far, kept byte for byte.
    ...(packs ? [BLANK_LINE, PACK_LANES, BLANK_LINE] : []),
    ...declarationStatements(decls),
    BLANK_LINE,
    runFunction(plan, decls),
  ];
  return { header: header(plan), file: { kind: StructureKind.SourceFile, statements } };
}
