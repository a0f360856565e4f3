/** @fileoverview The one list of IR layer kinds; printers, validators and targets switch over it exhaustively. */
import type { IrLayer } from './program.ts';

export const LAYER_KINDS = ['conv', 'spiking', 'pool'] as const satisfies readonly IrLayer['kind'][];

export type LayerKind = (typeof LAYER_KINDS)[number];

/** Call in the default branch of a switch over a closed union, so a new kind fails to compile until handled. */
export function unreachable(value: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
