/** @fileoverview Small typed readers for untrusted JSON: each names the path of what is wrong, in one line. */
import { SnncError } from './errors.ts';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

function fail(path: string, what: string): never {
  throw new SnncError('model', `${path}: ${what}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `a ${typeof value}`;
}

export function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `expected an object, got ${describe(value)}`);
  return value as JsonObject;
}

export function array(value: unknown, path: string): readonly Json[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  return value as readonly Json[];
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
  return value;
}

export function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `expected a finite number, got ${describe(value)}`);
  return value;
}

/** An integer in [min, max]. */
export function integer(value: unknown, path: string, min: number, max: number): number {
  const n = finite(value, path);
  if (!Number.isInteger(n) || n < min || n > max) fail(path, `expected an integer in [${min}, ${max}], got ${n}`);
  return n;
}

export function oneOf<T extends string | number>(value: unknown, path: string, options: readonly T[]): T {
  if (!options.includes(value as T)) fail(path, `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value as T;
}

export function optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}

/** Rejects keys that the schema does not know, so a typo never silently falls back to a default. */
export function onlyKeys(obj: JsonObject, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(obj)) if (!keys.includes(key)) fail(path, `unknown field "${key}"`);
}
