import type { RunResult } from './drivers/cluster-driver.ts';

/**
 * The two helpers a driver's cluster operations share, their errors prefixed with the
 * driver's name (`kind driver: cannot …`): a command that must succeed, and a wait.
 */
export function commandChecks(driver: string, pollMs: number) {
  return {
    /** The command's stdout; a non-zero exit throws naming `what` and its stderr. */
    async must(what: string, result: Promise<RunResult>): Promise<string> {
      const done = await result;
      if (done.exitCode !== 0) throw new Error(`${driver}: cannot ${what}: ${done.stderr.trim()}`);
      return done.stdout;
    },
    /** Polls `check` every `pollMs` until it holds; throws naming `what` after `timeoutMs`. */
    async waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) {
          throw new Error(`${driver}: ${what} did not happen in ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}
