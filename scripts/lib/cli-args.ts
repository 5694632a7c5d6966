/**
 * Command lines of the operator CLIs (scripts/ops.ts, scripts/jobs.ts): node's parseArgs, strict,
 * so a mistyped flag or one without its value stops the command (exit 2) instead of being ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the CLI cannot act on; the CLIs exit with code 2. */
export class UsageError extends Error {}

export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}
