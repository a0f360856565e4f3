/** @fileoverview The shape every snnc sub-command has; the table of commands is in commands.ts. */
import type { FlagSpecs, ParsedArgs } from './args.ts';

export interface CommandIO {
  /** Result lines (stdout). */
  readonly out: (line: string) => void;
  /** Progress and notes (stderr). */
  readonly log: (line: string) => void;
  /** True when stderr is a terminal, so progress bars may redraw. */
  readonly tty: boolean;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly flags: FlagSpecs;
  /** Returns the exit code (0 on success); throws SnncError for bad input. */
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
