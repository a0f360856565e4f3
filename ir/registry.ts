/**
 * @fileoverview The one list of IR layer kinds (the schema's `layers` items are drawn from it, so ir.json accepts
 * these and no other) and `unreachable`, with which printers, validators and targets switch over the kinds
 * exhaustively.
 */
import type { IrLayer } from './program.ts';

export const LAYER_KINDS = ['conv', 'spiking', 'pool'] as const satisfies readonly IrLayer['kind'][];

/** Compiles only while every kind of IrLayer is in LAYER_KINDS: a new op must be listed here to be parsed. */
const EVERY_KIND_LISTED: [Exclude<IrLayer['kind'], (typeof LAYER_KINDS)[number]>] extends [never] ? true : never = true;
void EVERY_KIND_LISTED;

/** Call in the default branch of a switch over a closed union, so a new kind fails to compile until handled. */
export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
