/**
 * @fileoverview The one printer of the ts target: turns the module structure (module.ts) into the text of model.ts
 * with ts-morph's structure printer, statement by statement, without parsing anything.
 */
import {
  printStructure, StructureKind, type InterfaceDeclarationStructure, type JSDocStructure, type PrintStructureOptions,
  type SourceFileStructure, type StatementStructures, type VariableStatementStructure,
} from 'ts-morph';

/** The generated module as data: its header comment and its statements. */
export interface ModuleStructure {
  readonly header: JSDocStructure;
  readonly file: SourceFileStructure & { readonly statements: readonly ModuleStatement[] };
}

/**
 * A statement that prints as an empty line. The printer puts each statement on its own lines and adds no blank line
 * by itself (ts-morph's file printer would choose its own), so the builders say where the blank lines go.
 */
export const BLANK_LINE = '';

/** A statement of the module: a structure, or a text printed as it is (BLANK_LINE is the only one the builders use). */
export type ModuleStatement = StatementStructures | string;

const OPTIONS: PrintStructureOptions = { indentNumberOfSpaces: 2, useSingleQuote: true };

/** A one-line stand-in for the n-th multi-line text of a statement, found nowhere else in it. */
function markers(statement: StatementStructures): (n: number) => string {
  const all = JSON.stringify(statement);
  let base = '__snnc_as_written_';
  while (all.includes(base)) base += '_';
  return (n) => `${base}${n}__`;
}

/**
 * ts-morph indents every continuation line of an initializer or a member type one level deeper than its first line (a
 * hanging indent), while the module's array literals and the trace's inline object type are laid out already: such
 * texts are printed as one-line markers and then put back as written.
 */
function printAsWritten(structure: StatementStructures, marker: (n: number) => string, texts: readonly string[]): string {
  let printed = printStructure(structure, OPTIONS).trimEnd();
  texts.forEach((text, n) => {
    printed = printed.replace(marker(n), () => text);
  });
  return printed;
}

function printVariableStatement(statement: VariableStatementStructure): string {
  const marker = markers(statement);
  const texts: string[] = [];
  const declarations = statement.declarations.map((d) => {
    if (typeof d.initializer !== 'string' || !d.initializer.includes('\n')) return d;
    texts.push(d.initializer);
    return { ...d, initializer: marker(texts.length - 1) };
  });
  return printAsWritten({ ...statement, declarations }, marker, texts);
}

function printInterface(statement: InterfaceDeclarationStructure): string {
  const marker = markers(statement);
  const texts: string[] = [];
  const properties = statement.properties?.map((p) => {
    if (typeof p.type !== 'string' || !p.type.includes('\n')) return p;
    texts.push(p.type);
    return { ...p, type: marker(texts.length - 1) };
  });
  return printAsWritten({ ...statement, properties }, marker, texts);
}

function printStatement(statement: ModuleStatement): string {
  if (typeof statement === 'string') return statement;
  switch (statement.kind) {
    case StructureKind.VariableStatement:
      return printVariableStatement(statement);
    case StructureKind.Interface:
      return printInterface(statement);
    default:
      return printStructure(statement, OPTIONS).trimEnd();
  }
}

/** The text of the module: the header, a blank line, then each statement on its own lines, and a final newline. */
export function printModule(module: ModuleStructure): string {
  const parts = [printStructure(module.header, OPTIONS).trimEnd(), BLANK_LINE, ...module.file.statements.map(printStatement)];
  return `${parts.join('\n')}\n`;
}
