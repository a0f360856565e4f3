/** @fileoverview Which model names snnc accepts: a name becomes a folder (build/NAME), so it must be one safe path component. */

/** A model name safe as one path component (it names the default build folder, build/NAME): no separators, no "..". */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why `name` cannot name a model, or undefined when it can. */
export function modelNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > 64) return `is ${name.length} characters long, at most 64`;
  if (/[/\\]/.test(name)) return 'holds a path separator';
  if (name.includes('..')) return 'holds ".."';
  if (!MODEL_NAME.test(name)) return 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-"';
  return undefined;
}
