/**
 * Undo steps for a multi-step ADD, run newest first when the ADD fails, so a failed ADD
 * leaves nothing behind (SPEC.md: a failed delegated IPAM ADD is followed by its DEL).
 */
export interface Rollback {
  /** Registers how to undo the side effect that just happened. */
  push(description: string, undo: () => Promise<unknown>): void;
  /** Runs every undo step; a failing step is reported on stderr and the others still run. */
  run(): Promise<void>;
}

export function createRollback(
  report: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Rollback {
  const steps: Array<{ description: string; undo: () => Promise<unknown> }> = [];
  return {
    push: (description, undo) => {
      steps.push({ description, undo });
    },
    run: async () => {
      for (const step of steps.reverse()) {
        try {
          await step.undo();
        } catch (error) {
          report(`loom-cni: cannot undo ${step.description}: ${(error as Error).message}`);
        }
      }
      steps.length = 0;
    },
  };
}
