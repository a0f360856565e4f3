/**
 * @fileoverview snnc's entry point: dispatches to a command (its module loaded only then, see commands.ts) and turns
 * every SnncError into one line and its exit code (the table in base/errors.ts).
 */
import { SnncError, exitCodeFor, INTERNAL_ERROR_EXIT_CODE } from '../base/errors.ts';
import { SNNC_VERSION } from '../base/version.ts';
import { helpText, parseArgs } from './args.ts';
import type { CommandIO } from './command.ts';
import { commands } from './commands.ts';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return ['usage: snnc <command> [options]', '', ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'snnc <command> --help for its options'].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(usage());
      return name === undefined ? exitCodeFor.usage : 0;
    }
    if (name === '--version') {
      io.out(`snnc ${SNNC_VERSION}`);
      return 0;
    }
    const entry = commands.find((c) => c.name === name);
    if (!entry) throw new SnncError('usage', `snnc: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})`);
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(helpText(command.name, command.usage, command.summary, command.flags));
      return 0;
    }
    return await command.run(parseArgs(rest, command.flags, command.name), io);
  } catch (e) {
    // A path or a layer name may hold a newline or an escape sequence: shown escaped, so the error stays one line.
    const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (e instanceof SnncError) {
      io.log(`snnc: ${oneLine(e.message)}`);
      return exitCodeFor[e.code];
    }
    // A file system call that failed on a path the user gave (a folder that vanished, a full disk): their error.
    const errno = e as NodeJS.ErrnoException;
    if (typeof errno?.syscall === 'string' && typeof errno.code === 'string' && typeof errno.path === 'string') {
      io.log(`snnc: ${oneLine(errno.path)}: ${errno.syscall} failed (${errno.code})`);
      return exitCodeFor.io;
    }
    // A bug of ours: still one line, but say where to look.
    const err = e as Error;
    io.log(`snnc: internal error: ${oneLine(err?.message ?? String(e))} (set SNNC_DEBUG=1 for the stack)`);
    if (process.env.SNNC_DEBUG) io.log(String(err?.stack));
    return INTERNAL_ERROR_EXIT_CODE;
  }
}

function defaultIO(): CommandIO {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    log: (line) => process.stderr.write(line + '\n'),
    tty: Boolean(process.stderr.isTTY),
  };
}
