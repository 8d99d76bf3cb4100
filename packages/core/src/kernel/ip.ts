import {
  type BridgeFdbJson,
  type IpLinkJson,
  type IpNeighbourJson,
  type IpRouteJson,
  parseBridgeFdb,
  parseIpLinks,
  parseIpNeighbours,
  parseIpRoutes,
} from './ip-json.ts';
import { invalidOutputError, parseIpJson } from './json-output.ts';
import type { CommandRunner, KernelCommand, KernelTool } from './kernel-command.ts';
import { isKernelCommandError, KernelCommandError } from './kernel-command-error.ts';

// `ip` and `bridge` are both iproute2: the same -batch and -json conventions.
type Iproute2Tool = Extract<KernelTool, 'ip' | 'bridge'>;

/**
 * Runs `ip -batch -` with one ip command per line (without the leading `ip`). ip stops at the
 * first failing line, and lines before it stay applied; the error names the failing line.
 */
export function ipBatch(runner: CommandRunner, lines: readonly string[], netns?: string) {
  return iproute2Batch('ip', runner, lines, netns);
}

/** `bridge -batch -` (FDB entries, e.g. a VXLAN device's remote VTEPs), as {@link ipBatch}. */
export function bridgeBatch(runner: CommandRunner, lines: readonly string[], netns?: string) {
  return iproute2Batch('bridge', runner, lines, netns);
}

/**
 * Runs `ip -json <args>` and returns the parsed output (an empty listing is `[]`), untyped:
 * prefer {@link ipLinks}, {@link ipRoutes} and {@link ipNeighbours}, which check the shape.
 */
export function ipJson<T = unknown>(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
) {
  return iproute2Json<T>('ip', runner, args, netns);
}

/** Runs `bridge -json <args>`, as {@link ipJson}. */
export function bridgeJson<T = unknown>(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
) {
  return iproute2Json<T>('bridge', runner, args, netns);
}

/**
 * `ip -json <args>` for links: `link show …`, or `address show …` for their addresses too;
 * `-details` adds `linkinfo`, `-statistics` adds `stats64`.
 */
export function ipLinks(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<IpLinkJson[]> {
  return iproute2List('ip', runner, args, netns, parseIpLinks);
}

/** `ip -json <args>` for routes: `route show …` (with `-Numeric`, protocols as numbers). */
export function ipRoutes(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<IpRouteJson[]> {
  return iproute2List('ip', runner, args, netns, parseIpRoutes);
}

/** `ip -json <args>` for neighbours: `neigh show …`. */
export function ipNeighbours(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<IpNeighbourJson[]> {
  return iproute2List('ip', runner, args, netns, parseIpNeighbours);
}

/** `bridge -json <args>` for forwarding entries: `fdb show dev <device>`. */
export function bridgeFdb(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<BridgeFdbJson[]> {
  return iproute2List('bridge', runner, args, netns, parseBridgeFdb);
}

async function iproute2Batch(
  tool: Iproute2Tool,
  runner: CommandRunner,
  lines: readonly string[],
  netns?: string,
): Promise<void> {
  if (lines.length === 0) return;
  const badLine = lines.find((line) => line.includes('\n'));
  if (badLine !== undefined)
    throw new TypeError(`${tool} batch line contains a newline: ${badLine}`);
  const command: KernelCommand = {
    tool,
    args: ['-batch', '-'],
    netns,
    stdin: `${lines.join('\n')}\n`,
  };
  try {
    await runner.run(command);
  } catch (error) {
    throw failingLineError(tool, error, lines, netns);
  }
}

// iproute2 reports the failing line as "Command failed -:<n>"; rebuild the error around it.
function failingLineError(
  tool: Iproute2Tool,
  error: unknown,
  lines: readonly string[],
  netns?: string,
): unknown {
  if (!isKernelCommandError(error)) return error;
  const position = /Command failed -:(\d+)/.exec(error.stderr);
  const line = position ? lines[Number(position[1]) - 1] : undefined;
  if (line === undefined) return error;
  const args = line.trim().split(/\s+/);
  return new KernelCommandError(
    { tool, args, netns },
    { stderr: error.stderr, exitCode: error.exitCode, reason: error.reason, cause: error },
  );
}

async function iproute2Json<T>(
  tool: Iproute2Tool,
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<T> {
  const command: KernelCommand = { tool, args: ['-json', ...args], netns };
  const { stdout } = await runner.run(command);
  return parseIpJson(command, stdout) as T;
}

// Every iproute2 listing is a JSON list; anything else is reported as the command's invalid
// output, naming it, rather than read as no entries.
async function iproute2List<T>(
  tool: Iproute2Tool,
  runner: CommandRunner,
  args: readonly string[],
  netns: string | undefined,
  parse: (output: unknown) => T[],
): Promise<T[]> {
  const command: KernelCommand = { tool, args: ['-json', ...args], netns };
  const { stdout } = await runner.run(command);
  const output = parseIpJson(command, stdout);
  try {
    return parse(output);
  } catch (cause) {
    const detail = `its JSON output is not what was asked for: ${(cause as Error).message}`;
    throw invalidOutputError(command, detail, cause);
  }
}
