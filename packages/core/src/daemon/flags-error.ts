/**
 * The command line (or the environment standing in for it) is wrong: the user's to fix, so a
 * daemon reports it and exits 2. `problems` holds every one found, each naming its flag.
 */
export class FlagsError extends Error {
  readonly code = 'LOOM_INVALID_FLAGS';
  readonly problems: readonly string[];
  constructor(subject: string, problems: readonly string[]) {
    super(`invalid ${subject} flags (${problems.length}):\n  ${problems.join('\n  ')}`);
    this.name = 'FlagsError';
    this.problems = problems;
  }
}

export function isFlagsError(error: unknown): error is FlagsError {
  return error instanceof FlagsError;
}
