/** @fileoverview `snnc ir MODEL`: print the fixed-point IR (a model is compiled; ir.json or a build dir is read). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printProgram } from '../../ir/print.ts';
import type { Program } from '../../ir/program.ts';
import { parseProgram } from '../../ir/validate.ts';
import { positionals, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { lowerFlags } from './compile.ts';
import { compileCached } from '../lowering-cache.ts';
import { nirDatasetFlag, nirFlags } from '../load-model-arg.ts';

/** MODEL may be a model dir, a build dir (with ir.json) or an ir.json file. */
export async function loadProgram(path: string, args: ParsedArgs, log: (line: string) => void, dump?: (text: string) => void): Promise<Program> {
  const irFile = existsSync(path) && statSync(path).isDirectory() ? join(path, 'ir.json') : path;
  if (irFile.endsWith('.json') && existsSync(irFile) && !irFile.endsWith('model.json')) return parseProgram(readFileSync(irFile, 'utf8'), irFile);
  return compileCached(path, args, log, dump);
}

export const irCommand: Command = {
  name: 'ir',
  usage: 'MODEL|BUILD_DIR|ir.json [--json] [lowering flags]',
  summary: 'print the fixed-point IR of a model',
  flags: { ...lowerFlags, ...nirFlags, dataset: nirDatasetFlag, json: { kind: 'boolean', help: 'print the IR as JSON instead of text' } },
  async run(args, io) {
    const [path] = positionals(args, ['MODEL'], 'ir');
    const program = await loadProgram(path!, args, io.log, (text) => io.out(text.trimEnd()));
    io.out(args.flags.get('json') ? JSON.stringify(program) : printProgram(program).trimEnd());
    return 0;
  },
};
