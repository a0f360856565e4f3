/**
 * @fileoverview Renders a schema's `$defs` as Markdown field tables, and splices them into a doc between two
 * marker comments, so that docs/ir.md and docs/model-format.md state exactly the fields their schemas check.
 */
import type { Schema } from './schema-check.ts';

/** 2^20 rather than 1048576: large limits read as the powers of two they are. */
function formatBound(n: number): string {
  if (n < 0) return `-${formatBound(-n)}`;
  if (n > 65536 && Number.isInteger(Math.log2(n))) return `2^${Math.log2(n)}`;
  if (n > 65536 && Number.isInteger(Math.log2(n + 1))) return `2^${Math.log2(n + 1)}-1`;
  return String(n);
}

/** GitHub tables split cells at every `|`, even inside code spans. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function defName(s: Schema): string {
  return s.$ref!.replace(/^#\/\$defs\//, '');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The type column: what a value of `s` looks like. Pipes are escaped for a table cell. */
function typeOf(s: Schema): string {
  if (s.$ref !== undefined) return code(defName(s));
  if (s.oneOf) return s.oneOf.map(typeOf).join(' \\| ');
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (s.enum) return s.enum.map((v) => code(JSON.stringify(v))).join(' \\| ');
  switch (s.type) {
    case 'integer': {
      const lo = s.minimum;
      const hi = s.maximum === Number.MAX_SAFE_INTEGER ? undefined : s.maximum;
      if (lo !== undefined && hi !== undefined) return `integer ${formatBound(lo)}..${formatBound(hi)}`;
      return lo !== undefined ? `integer >= ${formatBound(lo)}` : 'integer';
    }
    case 'array': {
      if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(', ')}]`;
      const item = s.items ? typeOf(s.items) : 'any';
      if (s.minItems !== undefined && s.minItems === s.maxItems) return `[${item}] × ${s.minItems}`;
      return s.minItems ? `[${item}], at least ${s.minItems}` : `[${item}]`;
    }
    case 'object':
      throw new Error('schema-doc: give every object its own $defs entry, so that it gets a table');
    default:
      return s.type ?? 'any';
  }
}

function requiredCell(parent: Schema, key: string, s: Schema): string {
  if (parent.required?.includes(key)) return 'yes';
  return s.default !== undefined ? `no, default ${code(JSON.stringify(s.default))}` : 'no';
}

function tableOf(name: string, s: Schema): string {
  const lines = [`#### ${code(name)}`, '', s.description ?? ''];
  if (s.oneOf) {
    lines.push('', `One of ${s.oneOf.map(typeOf).join(', ')}.`);
    return lines.join('\n');
  }
  lines.push('', '| field | type | required | meaning |', '|---|---|---|---|');
  for (const [key, field] of Object.entries(s.properties ?? {})) {
    lines.push(`| ${code(key)} | ${typeOf(field)} | ${requiredCell(s, key, field)} | ${cell(field.description ?? '')} |`);
  }
  if (s.additionalProperties !== false) lines.push('', 'Other fields are ignored.');
  return lines.join('\n');
}

/** One table per `$defs` entry, in the schema's order. */
export function renderSchemaTables(schema: Schema): string {
  return Object.entries(schema.$defs ?? {}).map(([name, s]) => tableOf(name, s)).join('\n\n') + '\n';
}

const BEGIN = (source: string): string => `<!-- field tables: generated from ${source}; UPDATE_GOLDEN=1 npm test rewrites them -->`;
const END = '<!-- end of generated field tables -->';

/** `doc` with the text between the markers replaced by `tables`; throws if the markers are missing. */
export function spliceTables(doc: string, source: string, tables: string): string {
  const begin = doc.indexOf(BEGIN(source));
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the doc has no "${BEGIN(source)}" ... "${END}" markers`);
  return `${doc.slice(0, begin)}${BEGIN(source)}\n${tables}${doc.slice(end)}`;
}
