/** @fileoverview Short builders for the JSON Schemas of snnc's files (ir/schema.ts, model/schema.ts). */
import type { Schema } from './schema-check.ts';

export function int(minimum: number, maximum: number, description: string): Schema {
  return { type: 'integer', minimum, maximum, description };
}

/** An array of integers in [minimum, maximum]. */
export function ints(minimum: number, maximum: number, description: string): Schema {
  return { type: 'array', items: { type: 'integer', minimum, maximum }, description };
}

export function num(description: string): Schema {
  return { type: 'number', description };
}

export function str(description: string): Schema {
  return { type: 'string', description };
}

export function bool(description: string): Schema {
  return { type: 'boolean', description };
}

/** A reference to `$defs/name`. */
export function ref(name: string, description: string): Schema {
  return { $ref: `#/$defs/${name}`, description };
}

/** A fixed value: the `kind` that picks a oneOf branch, or a format name. */
export function tag(value: string | number, description: string): Schema {
  return { const: value, description };
}

export function choice(values: readonly (string | number)[], description: string, dflt?: string | number): Schema {
  return { enum: values, description, ...(dflt !== undefined ? { default: dflt } : {}) };
}

/** One of several `$defs`, told apart by their `kind`. */
export function kinds(names: readonly string[], description: string): Schema {
  return { oneOf: names.map((name) => ({ $ref: `#/$defs/${name}` })), description };
}

/** An object whose fields are all required except those named in `optional`; no other field is allowed. */
export function record(description: string, properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: 'object', description, properties, required, additionalProperties: false };
}
