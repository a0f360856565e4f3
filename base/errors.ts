/** @fileoverview Typed errors: every failure a user can cause carries a code, and the CLI prints it as one line. */

export type SnncErrorCode =
  | 'usage' // unknown flag, missing argument
  | 'model' // corrupt, truncated, NaN, bad shapes, unknown kinds or versions
  | 'ir' // an IR that fails validation
  | 'data' // a missing or corrupt dataset
  | 'unsupported' // a construct a target or the lowering cannot express exactly
  | 'io' // files we could not read or write
  | 'tool' // a missing or failing external tool (simulator, synthesizer)
  | 'mismatch'; // verification found differing integers

/**
 * Exit codes of a failed command (cli/main.ts returns these; 0 is success): 2 for input that cannot be used as given
 * (usage, model, ir, data, unsupported, io; also `snnc` with no command), 3 for an external tool that is missing or
 * failed, 1 for a verification that found differing integers, and INTERNAL_ERROR_EXIT_CODE for a bug of ours.
 */
export const exitCodeFor: Record<SnncErrorCode, number> = {
  usage: 2,
  model: 2,
  ir: 2,
  data: 2,
  unsupported: 2,
  io: 2,
  tool: 3,
  mismatch: 1,
};

/** Any error that is not an SnncError or a failed file system call on a user's path: a bug (EX_SOFTWARE of sysexits.h). */
export const INTERNAL_ERROR_EXIT_CODE = 70;

export class SnncError extends Error {
  constructor(
    readonly code: SnncErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnncError';
  }
}

/** Throws a model error unless `condition` holds. */
export function modelCheck(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SnncError('model', message);
}
