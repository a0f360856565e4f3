/** @fileoverview Flag parsing for snnc commands: declared flags only, typed values, one-line errors for anything else. */
import { SnncError } from '../base/errors.ts';

export type FlagKind = 'string' | 'int' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Allowed values for string flags (and each element of list flags). */
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | number | boolean | readonly string[]>;
}

function parseValue(name: string, spec: FlagSpec, raw: string): string | number | readonly string[] {
  if (spec.kind === 'int' || spec.kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
      throw new SnncError('usage', `--${name}: expected ${spec.kind === 'int' ? 'an integer' : 'a number'}, got "${raw}"`);
    }
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
      throw new SnncError('usage', `--${name}: ${n} is outside [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`);
    }
    return n;
  }
  // An empty value or list item is a typo, never "nothing": `--targets ""` must not check nothing and pass.
  if (raw.trim() === '') throw new SnncError('usage', `--${name}: empty value`);
  const values = spec.kind === 'list' ? raw.split(',').map((s) => s.trim()) : [raw];
  if (values.includes('')) throw new SnncError('usage', `--${name}: empty item in "${raw}" (expected a comma-separated list)`);
  for (const v of values) {
    if (spec.choices && !spec.choices.includes(v)) throw new SnncError('usage', `--${name}: "${v}" is not one of ${spec.choices.join(', ')}`);
  }
  return spec.kind === 'list' ? values : raw;
}

/** Parses `--flag value`, `--flag=value` and boolean `--flag`; unknown flags and missing values are usage errors. */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | number | boolean | readonly string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.replace(/^--?/, '').slice(0, eq < 0 ? undefined : eq - (arg.startsWith('--') ? 2 : 1));
    const spec = specs[name];
    if (!spec || !arg.startsWith('--')) throw new SnncError('usage', `snnc ${command}: unknown flag ${arg.split('=')[0]} (see snnc ${command} --help)`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new SnncError('usage', `--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new SnncError('usage', `--${name} needs a value`);
    flags.set(name, parseValue(name, spec, raw));
  }
  return { positional, flags };
}

/** Typed accessors, so commands read flags without casts. */
export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}
export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
export function flagList(args: ParsedArgs, name: string): readonly string[] | undefined {
  const v = args.flags.get(name);
  return Array.isArray(v) ? (v as readonly string[]) : undefined;
}

/** The exactly-n positional arguments a command takes, or a usage error naming them. */
export function positionals(args: ParsedArgs, names: readonly string[], command: string): string[] {
  if (args.positional.length !== names.length) {
    throw new SnncError('usage', `snnc ${command}: expected ${names.join(' ')}${args.positional.length > names.length ? `, got extra "${args.positional[names.length]}"` : ''}`);
  }
  return [...args.positional];
}

export function helpText(command: string, usage: string, summary: string, specs: FlagSpecs): string {
  const lines = [`usage: snnc ${command} ${usage}`, '', summary, ''];
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.kind === 'boolean' ? '' : spec.choices ? ` <${spec.choices.join('|')}>` : ` <${spec.kind}>`;
    const flag = `  --${name}${value}`;
    // A long choice list gets its help on the next line rather than running into it.
    lines.push(flag.length < 36 ? flag.padEnd(36) + spec.help : `${flag}\n${' '.repeat(36)}${spec.help}`);
  }
  return lines.join('\n');
}
