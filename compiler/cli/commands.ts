/** @fileoverview The table of snnc commands, in the order `snnc --help` lists them. */
import type { Command } from './command.ts';
import { compileCommand } from './commands/compile.ts';
import { irCommand } from './commands/ir.ts';
import { runCommand } from './commands/run.ts';
import { evalCommand } from './commands/eval.ts';
import { dataCommand } from './commands/data.ts';
import { verifyCommand } from './commands/verify.ts';
import { trainCommand } from './commands/train.ts';
import { plotCommand } from './commands/plot.ts';
import { reportCommand } from './commands/report.ts';
import { importCommand } from './commands/import.ts';
import { exportCommand } from './commands/export.ts';

export const commands: readonly Command[] = [compileCommand, irCommand, runCommand, evalCommand, verifyCommand, importCommand, exportCommand, dataCommand, trainCommand, plotCommand, reportCommand];
