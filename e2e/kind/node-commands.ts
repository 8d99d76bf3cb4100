import { commandChecks } from '../command-checks.ts';
import type { RunResult } from '../drivers/cluster-driver.ts';
import type { Host } from './host.ts';
import { nodeKubectlArgs } from './kind-cluster.ts';

/** How the kind driver reaches a cluster: `docker exec` into its nodes, and its own kubectl. */
export interface NodeCommands {
  /** A command in a node container (`loom-e2e-worker`). */
  onNode(node: string, command: readonly string[]): Promise<RunResult>;
  /** The control-plane node's kubectl as admin; stdin goes through `docker exec -i`. */
  kubectl(
    args: readonly string[],
    options?: { stdin?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  /** The command's stdout; a non-zero exit throws `kind driver: cannot <what>: <stderr>`. */
  must(what: string, result: Promise<RunResult>): Promise<string>;
  /** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
  waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 120_000;

export function nodeCommands(host: Host, clusterName: string, pollMs: number): NodeCommands {
  const docker = (args: readonly string[], stdin?: string, timeoutMs = COMMAND_TIMEOUT_MS) =>
    host.run('docker', args, { timeoutMs, ...(stdin === undefined ? {} : { stdin }) });
  return {
    onNode: (node, command) => docker(['exec', node, ...command]),
    kubectl: (args, options = {}) =>
      docker(
        nodeKubectlArgs(clusterName, args, options.stdin !== undefined),
        options.stdin,
        options.timeoutMs,
      ),
    ...commandChecks('kind driver', pollMs),
  };
}
