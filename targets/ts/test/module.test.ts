/**
 * @fileoverview The ts target builds model.ts as data (ts-morph structures, module.ts) and prints it once (print.ts):
 * the structure holds each constant as a declaration, the trace types are runtime/trace.ts's, and the printer keeps
 * multi-line texts as written.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { StructureKind, VariableDeclarationKind, type VariableStatementStructure } from 'ts-morph';
import { cubaLif, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';
import { programSha256 } from '../../../ir/fingerprint.ts';
import { buildModule } from '../module.ts';
import { planModel } from '../plan.ts';
import { BLANK_LINE, printModule } from '../print.ts';
import { target } from '../index.ts';

/** runtime/trace.ts from its first declaration on: what every model.ts declares as its trace types. */
function traceDeclarations(): string {
  const text = readFileSync(new URL('../../../runtime/trace.ts', import.meta.url), 'utf8');
  return text.slice(text.indexOf('/** Class scores'));
}

async function emittedModel(program: ReturnType<typeof cubaLif>): Promise<string> {
  const files = await target.emit(program, {});
  return String(files.find((f) => f.path === 'model.ts')!.contents);
}

test('model.ts declares the trace types exactly as runtime/trace.ts writes them', async (t) => {
  const source = await emittedModel(cubaLif());
  t.true(source.includes(`} as const;\n${traceDeclarations()}\n/**\n * Runs one inference.`));
});

test('a model read out from spike outputs says so in InferResult\'s doc, and is otherwise runtime/trace.ts', async (t) => {
  const source = await emittedModel(sinabsConvNet());
  t.true(source.includes(traceDeclarations().replace('visible membrane', 'visible output')));
  t.false(source.includes('visible membrane) and the winning class'));
});

test('the module is data: each constant is a variable statement with its doc, run is a function structure', (t) => {
  const program = cubaLif();
  const module = buildModule(planModel(program), programSha256(program));
  const statements = module.file.statements;
  const bias = statements.find((s): s is VariableStatementStructure =>
    typeof s !== 'string' && s.kind === StructureKind.VariableStatement && s.declarations[0]?.name === 'L1_BIAS');
  t.deepEqual(bias, {
    kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, docs: ['lif: per-unit bias, membrane units.'],
    declarations: [{ name: 'L1_BIAS', initializer: 'new Int32Array([\n  0, 5, -5, 10,\n])' }],
  });
  const last = statements[statements.length - 1]!;
  t.true(typeof last !== 'string' && last.kind === StructureKind.Function && last.name === 'run');
  t.deepEqual(module.header.tags?.map((tag) => typeof tag === 'string' ? tag : tag.tagName), ['fileoverview']);
});

test('the printer keeps a multi-line initializer as written, even when a doc holds the text it stands in with', (t) => {
  const text = printModule({
    header: { kind: StructureKind.JSDoc, description: 'Header.' },
    file: {
      kind: StructureKind.SourceFile,
      statements: [
        { kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, docs: ['__snnc_as_written_0__'], declarations: [{ name: 'A', initializer: 'new Int8Array([\n  1, 2,\n])' }] },
        BLANK_LINE,
        { kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, isExported: true, declarations: [{ name: 'B', initializer: '3' }] },
      ],
    },
  });
  t.is(text, '/** Header. */\n\n/** __snnc_as_written_0__ */\nconst A = new Int8Array([\n  1, 2,\n]);\n\nexport const B = 3;\n');
});
