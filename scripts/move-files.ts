/**
 * @fileoverview Moves source files or folders and rewrites every import of them (static and dynamic, `.ts`
 * specifiers kept) with ts-morph, then moves them with `git mv`. Usage: `npx tsx scripts/move-files.ts FROM TO [FROM TO ...]` (paths from the
 * repository root; a folder moves with everything in it). `.mjs` bootstraps are not TypeScript: fix them by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Node, Project, SyntaxKind, type SourceFile } from 'ts-morph';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Each relative `.ts` specifier in the project, resolved to the absolute file it names. */
function relativeSpecifiers(file: SourceFile): { node: Node; target: string }[] {
  const found: { node: Node; target: string }[] = [];
  const add = (node: Node | undefined): void => {
    if (!node || !Node.isStringLiteral(node) && !Node.isNoSubstitutionTemplateLiteral(node)) return;
    const text = node.getLiteralText();
    if (text.startsWith('.')) found.push({ node, target: resolve(dirname(file.getFilePath()), text) });
  };
  for (const decl of file.getImportDeclarations()) add(decl.getModuleSpecifier());
  for (const decl of file.getExportDeclarations()) add(decl.getModuleSpecifier());
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (call.getExpression().getKind() === SyntaxKind.ImportKeyword) add(call.getArguments()[0]);
  }
  return found;
}

function main(args: string[]): void {
  if (args.length === 0 || args.length % 2 !== 0) throw new Error('usage: move-files.ts FROM TO [FROM TO ...]');
  const project = new Project({ tsConfigFilePath: resolve(ROOT, 'tsconfig.json'), skipAddingFilesFromTsConfig: false });
  const moves = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const from = resolve(ROOT, args[i]!), to = resolve(ROOT, args[i + 1]!);
    if (!existsSync(from)) throw new Error(`${args[i]} does not exist`);
    if (statSync(from).isDirectory()) {
      for (const f of project.getSourceFiles()) {
        const p = f.getFilePath();
        if (p.startsWith(`${from}/`) && !moves.has(p)) moves.set(p, `${to}/${p.slice(from.length + 1)}`);
      }
    } else moves.set(from, to);
  }
  const newPath = (p: string): string => moves.get(p) ?? p;
  // Rewrite every specifier first, against where both ends will be, then move.
  for (const file of project.getSourceFiles()) {
    const futureSelf = newPath(file.getFilePath());
    for (const { node, target } of relativeSpecifiers(file)) {
      const futureTarget = newPath(target);
      if (futureTarget === target && futureSelf === file.getFilePath()) continue;
      const spec = relative(dirname(futureSelf), futureTarget);
      (node as Node & { setLiteralValue(v: string): void }).setLiteralValue(spec.startsWith('.') ? spec : `./${spec}`);
    }
  }
  project.saveSync();
  for (const [from, to] of moves) {
    if (existsSync(to)) throw new Error(`${relative(ROOT, to)} already exists`);
    mkdirSync(dirname(to), { recursive: true });
    execFileSync('git', ['mv', from, to], { cwd: ROOT });
  }
  console.log(`moved ${moves.size} files`);
}

main(process.argv.slice(2));
