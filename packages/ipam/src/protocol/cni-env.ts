import { CNI_ERROR, CniError } from './cni-error.ts';

export const CNI_COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'VERSION', 'GC'] as const;

export type CniCommand = (typeof CNI_COMMANDS)[number];

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

/** An attachment is identified by (containerId, ifname) within a network (SPEC.md section 3). */
export interface CniAttachment {
  containerId: string;
  ifname: string;
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

// SPEC.md: "Must start with an alphanumeric character, optionally followed by any combination
// of one or more alphanumeric characters, underscore (), dot (.) or hyphen (-)."
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

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
  if (containerId !== undefined && !CONTAINER_ID.test(containerId)) {
    throw invalidEnv(
      `CNI_CONTAINERID ${JSON.stringify(containerId)} is invalid: it must start with a letter or digit, then letters, digits, '_', '.' or '-'`,
    );
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

/**
 * Linux interface name rules as the spec states them: not empty, not "." or "..", shorter
 * than 16 bytes (IFNAMSIZ), without '/', ':' or whitespace.
 */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `${JSON.stringify(name)} is reserved`;
  if (Buffer.byteLength(name) > 15) return 'it is longer than 15 bytes';
  if (/[/:\s]/.test(name)) return "it contains '/', ':' or whitespace";
  return undefined;
}

function checkInterfaceName(name: string, variable: string): void {
  const problem = interfaceNameProblem(name);
  if (problem !== undefined)
    throw invalidEnv(
      `${variable} ${JSON.stringify(name)} is not a valid interface name: ${problem}`,
    );
}

/** `K=V;K2=V2`; empty pairs are skipped, a pair without '=' is an error. */
export function parseCniArgs(text: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw invalidEnv(`CNI_ARGS pair ${JSON.stringify(pair)} is invalid: expected KEY=VALUE`);
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return args;
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
