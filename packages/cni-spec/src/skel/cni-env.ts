import { parseCniArgs } from '../types/cni-args.ts';
import type { CniAttachment } from '../types/cni-attachment.ts';
import { CNI_COMMANDS, type CniCommand } from '../types/cni-command.ts';
import { CNI_ERROR, CniError } from '../types/cni-error.ts';
import { containerIdProblem, interfaceNameProblem } from '../types/identifiers.ts';

/** The protocol parameters a runtime passes in the environment (SPEC.md section 2). */
export interface CniEnvironment {
  command: CniCommand;
  /** Set for ADD, DEL and CHECK. */
  containerId: string | undefined;
  /** A path to the container's network namespace; required for ADD and CHECK, optional for DEL. */
  netns: string | undefined;
  /** Set for ADD, DEL and CHECK. */
  ifname: string | undefined;
  /** `CNI_ARGS` as key → value. */
  args: ReadonlyMap<string, string>;
  /** `CNI_PATH`, split; where delegated plugins are looked up. */
  path: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  GC: [],
  STATUS: [],
  VERSION: [],
};

export function parseCniEnvironment(env: Env): CniEnvironment {
  const command = parseCommand(env.CNI_COMMAND);
  const missing = REQUIRED[command].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw invalidEnv(
      `${command} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not set`,
    );
  }
  const containerId = env.CNI_CONTAINERID || undefined;
  const ifname = env.CNI_IFNAME || undefined;
  const netns = env.CNI_NETNS || undefined;
  const idProblem = containerId === undefined ? undefined : containerIdProblem(containerId);
  if (idProblem !== undefined) {
    throw invalidEnv(`CNI_CONTAINERID ${JSON.stringify(containerId)} is invalid: ${idProblem}`);
  }
  if (ifname !== undefined) checkInterfaceName(ifname, 'CNI_IFNAME');
  if (netns !== undefined && !netns.startsWith('/')) {
    throw invalidEnv(
      `CNI_NETNS ${JSON.stringify(netns)} is invalid: it must be an absolute path to a network namespace`,
    );
  }
  return {
    command,
    containerId,
    netns,
    ifname,
    args: parseCniArgs(env.CNI_ARGS ?? ''),
    path: (env.CNI_PATH ?? '').split(':').filter((dir) => dir !== ''),
  };
}

function parseCommand(value: string | undefined): CniCommand {
  if (value === undefined || value === '') throw invalidEnv('CNI_COMMAND is not set');
  const command = CNI_COMMANDS.find((c) => c === value);
  if (command === undefined) {
    throw invalidEnv(
      `CNI_COMMAND ${JSON.stringify(value)} is unknown: expected one of ${CNI_COMMANDS.join(', ')}`,
    );
  }
  return command;
}

function checkInterfaceName(name: string, variable: string): void {
  const problem = interfaceNameProblem(name);
  if (problem !== undefined)
    throw invalidEnv(
      `${variable} ${JSON.stringify(name)} is not a valid interface name: ${problem}`,
    );
}

/** The attachment of an ADD, DEL or CHECK (whose environment parsing guaranteed both). */
export function attachmentOf(env: CniEnvironment): CniAttachment {
  if (env.containerId === undefined || env.ifname === undefined) {
    throw invalidEnv(`${env.command} needs CNI_CONTAINERID and CNI_IFNAME`);
  }
  return { containerId: env.containerId, ifname: env.ifname };
}

function invalidEnv(message: string): CniError {
  return new CniError(CNI_ERROR.invalidEnvironment, message);
}
