import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { CniJson } from './cni-config.ts';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

/** libcni's RuntimeConf: one attachment of a container to a network. */
export interface CniRuntimeConf {
  containerId: string;
  /** The netns path, or '' when it is already gone (DEL must still run). */
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs, in order. */
  args: [string, string][];
  capabilityArgs: CniJson;
}

export class CniPluginError extends Error {
  readonly plugin: string;
  readonly command: CniCommand;

  constructor(plugin: string, command: CniCommand, message: string) {
    super(message);
    this.name = 'CniPluginError';
    this.plugin = plugin;
    this.command = command;
  }
}

const PLUGIN_TIMEOUT_MS = 120_000;

/** libcni FindInPath: the first executable named `type` in the bin dirs. */
export function findPlugin(type: string, binDirs: readonly string[]): string | undefined {
  for (const dir of binDirs) {
    const path = join(dir, type);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

function pluginEnv(
  command: CniCommand,
  rt: CniRuntimeConf | undefined,
  binDirs: readonly string[],
) {
  return {
    ...process.env,
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt?.containerId ?? '',
    CNI_NETNS: rt?.netns ?? '',
    CNI_ARGS: (rt?.args ?? []).map(([k, v]) => `${k}=${v}`).join(';'),
    CNI_IFNAME: rt?.ifName ?? '',
    CNI_PATH: binDirs.join(':'),
  };
}

interface PluginOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(path: string, env: NodeJS.ProcessEnv, stdin: string): Promise<PluginOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), PLUGIN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.end(stdin);
  });
}

// A failing plugin prints {code, msg, details} on stdout (CNI spec, "Error").
function failure(type: string, command: CniCommand, output: PluginOutput): CniPluginError {
  let message = output.stderr.trim() || `exit code ${output.code}`;
  try {
    const parsed = JSON.parse(output.stdout) as { msg?: string; details?: string };
    if (parsed.msg) message = parsed.details ? `${parsed.msg}; ${parsed.details}` : parsed.msg;
  } catch {}
  return new CniPluginError(type, command, message);
}

/** Runs one plugin as libcni's invoke package does; the parsed result for ADD. */
export async function execPlugin(
  command: CniCommand,
  config: CniJson,
  rt: CniRuntimeConf | undefined,
  binDirs: readonly string[],
): Promise<CniJson | undefined> {
  const type = String(config.type);
  const path = findPlugin(type, binDirs);
  if (path === undefined) {
    throw new CniPluginError(
      type,
      command,
      `failed to find plugin "${type}" in path [${binDirs.join(' ')}]`,
    );
  }
  const output = await run(path, pluginEnv(command, rt, binDirs), JSON.stringify(config));
  if (output.code !== 0) throw failure(type, command, output);
  if (command !== 'ADD') return undefined;
  try {
    return JSON.parse(output.stdout) as CniJson;
  } catch {
    throw new CniPluginError(
      type,
      command,
      `plugin printed an invalid result: ${output.stdout.slice(0, 200)}`,
    );
  }
}
