/**
 * @fileoverview The one printer of the ts target: turns the module structure (module.ts) into the text of model.ts
 * with ts-morph's structure printer, statement by statement, without parsing anything.
 */
import {
  printStructure, StructureKind, type InterfaceDeclarationStructure, type JSDocStructure, type PrintStructureOptions,
  type SourceFileStructure, type StatementStructures, type VariableStatementStructure, type WriterFunction,
} from 'ts-morph';

/** The generated module as data: its header comment and its statements. */
export interface ModuleStructure {
  readonly header: JSDocStructure;
  readonly file: SourceFileStructure;
}

/**
 * A statement that prints as an empty line. The printer puts each statement on its own lines and adds no blank line
 * by itself (ts-morph's file printer would choose its own), so the builders say where the blank lines go.
 */
export const BLANK_LINE = '';

/** A statement of the module: a structure, or a text printed as it is (BLANK_LINE is the only one the builders use). */
export type ModuleStatement = StatementStructures | string;

const OPTIONS: PrintStructureOptions = { indentNumberOfSpaces: 2, useSingleQuote: true };

/** A one-line stand-in for a multi-line text, unique within one statement. */
function marker(n: number): string {
  return `__snnc_as_written_${n}__`;
}

/**
 * Prints a structure whose listed texts keep their own line breaks. ts-morph indents every continuation line of an
 * initializer or a member type one level deeper than its first line (a hanging indent), while the module's array
 * literals and the trace's inline object type are laid out already: they are printed as one-line markers and then
 * put back as written.
 */
function printAsWritten(structure: StatementStructures, texts: readonly string[]): string {
  let printed = printStructure(structure, OPTIONS).trimEnd();
  texts.forEach((text, n) => {
    printed = printed.replace(marker(n), () => text);
  });
  return printed;
}

function printVariableStatement(statement: VariableStatementStructure): string {
  const texts: string[] = [];
  const declarations = statement.declarations.map((d) => {
    if (typeof d.initializer !== 'string' || !d.initializer.includes('\n')) return d;
    texts.push(d.initializer);
    return { ...d, initializer: marker(texts.length - 1) };
  });
  return printAsWritten({ ...statement, declarations }, texts);
}

function printInterface(statement: InterfaceDeclarationStructure): string {
  const texts: string[] = [];
  const properties = statement.properties?.map((p) => {
    if (typeof p.type !== 'string' || !p.type.includes('\n')) return p;
    texts.push(p.type);
    return { ...p, type: marker(texts.length - 1) };
  });
  return printAsWritten({ ...statement, properties }, texts);
}

function printStatement(statement: string | WriterFunction | StatementStructures): string {
  if (typeof statement === 'string') return statement;
  if (typeof statement === 'function') throw new Error('module statements are structures or strings, not writer functions');
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
  const statements = typeof module.file.statements === 'string' || typeof module.file.statements === 'function'
    ? [module.file.statements] : module.file.statements ?? [];
  const parts = [printStructure(module.header, OPTIONS).trimEnd(), BLANK_LINE];
  for (const statement of statements) parts.push(printStatement(statement));
  return `${parts.join('\n')}\n`;
}
