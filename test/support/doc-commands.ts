/**
 * @fileoverview Finds every `snnc ...` / `npx snnc ...` command the docs show (fenced code lines and inline code
 * spans) and sorts it: a mention of a command name, a syntax line with placeholders, or a concrete command to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocCommand {
  readonly file: string;
  readonly line: number;
  /** What follows `snnc ` (trailing `# comment` removed, `\|` unescaped). */
  readonly command: string;
  /** A line of a fenced block, or an inline code span in the prose (which usually quotes a block's command). */
  readonly source: 'block' | 'inline';
}

/** The documentation whose commands must work: README.md, docs/, results/ (figures/ too), each target's README. */
export function documentationFiles(root: string): string[] {
  const md = (dir: string): string[] => readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).sort().map((f) => `${dir}/${f}`);
  const targets = readdirSync(join(root, 'targets'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(root, 'targets', e.name)).includes('README.md'))
    .map((e) => `targets/${e.name}/README.md`)
    .sort();
  return ['README.md', ...md('docs'), ...md('results'), ...md('results/figures'), ...targets];
}

const COMMAND = /^(?:\$\s+)?(?:npx\s+)?snnc\s+(.*)$/;

function clean(text: string): string {
  return text.replace(/\\\|/g, '|').replace(/\s+#\s.*$/, '').replace(/\s+/g, ' ').trim();
}

/** Commands in fenced blocks (one a line) and in inline code spans (which may wrap across a line break). */
export function extractCommands(file: string, text: string): DocCommand[] {
  const found: DocCommand[] = [];
  const lines = text.split('\n');
  let fenced = false;
  const prose: { line: number; text: string }[] = [];
  lines.forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      prose.push({ line: i + 1, text: '' });
      return;
    }
    if (fenced) {
      // `npm ci && npx snnc compile ...`: each part of an && chain may be a command.
      for (const part of raw.replace(/\s+#\s.*$/, '').split('&&')) {
        const m = COMMAND.exec(part.trim());
        if (m) found.push({ file, line: i + 1, command: clean(m[1]!), source: 'block' });
      }
      prose.push({ line: i + 1, text: '' });
    } else {
      prose.push({ line: i + 1, text: raw });
    }
  });
  // Inline spans: join prose so a span broken over two lines is still one span; map offsets back to line numbers.
  const joined = prose.map((p) => p.text).join('\n');
  for (const m of joined.matchAll(/`([^`]+)`/g)) {
    const span = m[1]!.replace(/\n/g, ' ').trim();
    const c = COMMAND.exec(span);
    if (!c) continue;
    const line = joined.slice(0, m.index).split('\n').length;
    found.push({ file, line, command: clean(c[1]!), source: 'inline' });
  }
  return found.sort((a, b) => a.line - b.line);
}

export function documentedCommands(root: string): DocCommand[] {
  return documentationFiles(root).flatMap((file) => extractCommands(file, readFileSync(join(root, file), 'utf8')));
}

/** Splits a command line into arguments; the docs use no quotes, so quotes are refused rather than half-parsed. */
export function splitArgs(command: string): string[] {
  if (/["'`$;&<>]/.test(command)) throw new Error(`snnc ${command}: quotes or shell syntax; the docs test runs plain commands only`);
  return command.split(' ').filter((a) => a !== '');
}
