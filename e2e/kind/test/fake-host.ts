import type { RunResult } from '../../drivers/cluster-driver.ts';
import type { Host, RunOptions } from '../host.ts';

/** What the fake answers to one command line (the words joined by spaces); undefined = exit 0. */
export type Responder = (line: string, options: RunOptions) => Partial<RunResult> | undefined;

/**
 * A machine with kind and Docker, for the unit tier (neither runs where Loom's CI runs): it
 * records every command line in order and answers as `respond` says.
 */
export function fakeHost(
  respond: Responder = () => undefined,
  machine: { tools?: string[]; files?: string[] } = {},
): Host & { lines: string[]; calls: { argv: string[]; options: RunOptions }[] } {
  const tools = machine.tools ?? ['kind', 'docker'];
  const files = machine.files ?? ['/repo/dist/image/loom.oci.tar'];
  const calls: { argv: string[]; options: RunOptions }[] = [];
  return {
    calls,
    get lines() {
      return calls.map((call) => call.argv.join(' '));
    },
    async run(command, args, options = {}) {
      calls.push({ argv: [command, ...args], options });
      const answer = respond([command, ...args].join(' '), options) ?? {};
      return { exitCode: 0, stdout: '', stderr: '', ...answer };
    },
    onPath: (name) => tools.includes(name),
    exists: (path) => files.includes(path),
  };
}

export const failure = (stderr: string, exitCode = 1): Partial<RunResult> => ({ exitCode, stderr });
