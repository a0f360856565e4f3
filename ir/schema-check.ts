/**
 * @fileoverview A small checker for the subset of JSON Schema (2020-12) that snnc's file schemas use: type, const,
 * enum, integer bounds, items, prefixItems, item counts, properties, required, additionalProperties false, local $ref, a oneOf
 * told apart by one `const` property, and `default` (filled in by `withDefaults`). Messages use json-check's words.
 */
import { SnncError, type SnncErrorCode } from '../base/errors.ts';
import { array, finite, integer, object, oneOf, onlyKeys, string } from '../base/json-check.ts';

/** The keywords snnc's schemas may use; anything else is not understood by `checkSchema`. */
export interface Schema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly $ref?: string;
  readonly $defs?: { readonly [name: string]: Schema };
  readonly type?: 'object' | 'array' | 'integer' | 'number' | 'string' | 'boolean';
  readonly const?: string | number;
  readonly enum?: readonly (string | number)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  /** Per-position schemas of a fixed-length array (before `items`). */
  readonly prefixItems?: readonly Schema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: { readonly [name: string]: Schema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly oneOf?: readonly Schema[];
  readonly default?: string | number | boolean;
}

/** Follows a local `#/$defs/name` reference. */
export function resolveRef(root: Schema, s: Schema): Schema {
  if (s.$ref === undefined) return s;
  const name = s.$ref.replace(/^#\/\$defs\//, '');
  const target = root.$defs?.[name];
  if (!target) throw new Error(`schema: unknown $ref ${s.$ref}`);
  return target;
}

/** The property whose `const` tells a oneOf's object branches apart (`kind` in snnc's files). */
export function discriminator(root: Schema, branches: readonly Schema[]): string {
  const first = resolveRef(root, branches[0]!);
  const constOf = (b: Schema, k: string): string | number | undefined => resolveRef(root, b).properties?.[k]?.const;
  const key = Object.keys(first.properties ?? {}).find((k) => new Set(branches.map((b) => constOf(b, k))).size === branches.length && branches.every((b) => constOf(b, k) !== undefined));
  if (key === undefined) throw new Error('schema: a oneOf needs a property with a different const in every branch');
  return key;
}

/** A field's path below `path`; the root's own fields are named bare (`timesteps`, `layers[0].kind`). */
function below(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Where a value is: its path, or `rootName` for the root itself. */
interface Place {
  readonly path: string;
  readonly rootName: string;
}

function named(at: Place): string {
  return at.path === '' ? at.rootName : at.path;
}

/** The oneOf branch that `value` names by its discriminating property, or a one-line error. */
function pickBranch(root: Schema, branches: readonly Schema[], value: unknown, at: Place): Schema {
  const key = discriminator(root, branches);
  const options = branches.map((b) => resolveRef(root, b).properties![key]!.const!);
  const obj = object(value, named(at));
  const chosen = oneOf(obj[key], below(at.path, key), options);
  return resolveRef(root, branches[options.indexOf(chosen)]!);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Throws at the first place `value` breaks `schema`, naming that JSON path. */
function check(root: Schema, schema: Schema, value: unknown, at: Place): void {
  const s = resolveRef(root, schema);
  const name = named(at);
  if (s.oneOf) {
    check(root, pickBranch(root, s.oneOf, value, at), value, at);
    return;
  }
  if (s.const !== undefined || s.enum !== undefined) {
    oneOf(value, name, s.enum ?? [s.const!]);
    return;
  }
  switch (s.type) {
    case 'integer':
      integer(value, name, s.minimum ?? -Number.MAX_SAFE_INTEGER, s.maximum ?? Number.MAX_SAFE_INTEGER);
      return;
    case 'number':
      finite(value, name);
      return;
    case 'string':
      string(value, name);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new SnncError('model', `${name}: expected a boolean, got ${describe(value)}`);
      return;
    case 'array': {
      const items = array(value, name);
      const min = s.minItems ?? 0;
      const max = s.maxItems ?? Infinity;
      if (items.length < min || items.length > max) {
        const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
        throw new SnncError('model', `${name}: expected ${wanted} items, got ${items.length}`);
      }
      const plain = s.items?.type === 'integer' && !s.prefixItems ? s.items : undefined;
      if (plain) {
        // Weight tensors hold millions of integers: build a path only for the first one out of range.
        const lo = plain.minimum ?? -Number.MAX_SAFE_INTEGER;
        const hi = plain.maximum ?? Number.MAX_SAFE_INTEGER;
        const bad = items.findIndex((v) => !(Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi));
        if (bad >= 0) integer(items[bad], `${name}[${bad}]`, lo, hi);
        return;
      }
      items.forEach((item, i) => {
        const sub = s.prefixItems?.[i] ?? s.items;
        if (sub) check(root, sub, item, { ...at, path: `${name}[${i}]` });
      });
      return;
    }
    case 'object': {
      const obj = object(value, name);
      const properties = s.properties ?? {};
      if (s.additionalProperties === false) onlyKeys(obj, name, Object.keys(properties));
      for (const [key, sub] of Object.entries(properties)) {
        if (obj[key] === undefined && !s.required?.includes(key)) continue;
        check(root, sub, obj[key], { ...at, path: below(at.path, key) });
      }
      return;
    }
    default:
      throw new Error(`schema: no type at ${name}`);
  }
}

/**
 * Checks `value` against `root`, throwing SnncError(`code`) with one line: `path: what is wrong`. The root's own
 * fields are named bare (`timesteps`); `rootName` names the root itself (`model: unknown field "x"`).
 */
export function checkSchema(root: Schema, value: unknown, rootName: string, code: SnncErrorCode): void {
  try {
    check(root, root, value, { path: '', rootName });
  } catch (e) {
    if (e instanceof SnncError && e.code !== code) throw new SnncError(code, e.message);
    throw e;
  }
}

/**
 * `value` (already checked) with every missing field that has a schema `default` filled in, appended after the
 * fields present so that a file's own field order is kept.
 */
export function withDefaults(root: Schema, schema: Schema, value: unknown): unknown {
  let s = resolveRef(root, schema);
  if (s.oneOf) s = pickBranch(root, s.oneOf, value, { path: '', rootName: 'value' });
  if (s.type === 'array' && s.items && Array.isArray(value)) return value.map((item: unknown) => withDefaults(root, s.items!, item));
  if (s.type !== 'object' || typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    if (out[key] !== undefined) out[key] = withDefaults(root, sub, out[key]);
    else if (sub.default !== undefined) out[key] = sub.default;
  }
  return out;
}
