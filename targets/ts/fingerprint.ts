/** @fileoverview A program's fingerprint: sha256 of its canonical JSON (sorted keys), so key order never matters. */
import { createHash } from 'node:crypto';
import type { Program } from '../../compiler/ir/program.ts';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function programSha256(program: Program): string {
  return createHash('sha256').update(canonical(program)).digest('hex');
}
