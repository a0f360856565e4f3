/** @fileoverview Visits every sub-schema of a schema, for tests that check a property of all of them. */
import type { Schema } from '../../ir/schema-check.ts';

/** Every sub-schema of `s`, with the path it sits at, for checks over the whole schema. */
export function walkSchema(s: Schema, at = '#', out: [string, Schema][] = []): [string, Schema][] {
  out.push([at, s]);
  for (const [k, v] of Object.entries(s.$defs ?? {})) walkSchema(v, `${at}/$defs/${k}`, out);
  for (const [k, v] of Object.entries(s.properties ?? {})) walkSchema(v, `${at}/properties/${k}`, out);
  if (s.items) walkSchema(s.items, `${at}/items`, out);
  s.prefixItems?.forEach((v, i) => walkSchema(v, `${at}/prefixItems/${i}`, out));
  s.oneOf?.forEach((v, i) => walkSchema(v, `${at}/oneOf/${i}`, out));
  return out;
}
