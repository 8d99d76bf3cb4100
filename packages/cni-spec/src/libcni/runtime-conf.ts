import type { ExecPlugin } from '../invoke/exec-plugin.ts';
import type { findInPath } from '../invoke/find-in-path.ts';

/** Capability arguments (CONVENTIONS.md): `portMappings`, `bandwidth`, `dns`, … by name. */
export type CapabilityArgs = Record<string, unknown>;

/** libcni RuntimeConf: one attachment of a container to a network. */
export interface CniRuntimeConf {
  containerId: string;
  /** The netns path, or '' when it is already gone (DEL must still run). */
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs, in order. */
  args: [string, string][];
  /** Passed to each plugin as `runtimeConfig`, only the capabilities it declares. */
  capabilityArgs: CapabilityArgs;
}

/** How plugins are found and run; a test can stand in for both. */
export interface PluginExec {
  find: typeof findInPath;
  run: ExecPlugin;
}

/** libcni CNIConfig: where plugins are (also their CNI_PATH) and where results are cached. */
export interface CniConfig {
  binDirs: readonly string[];
  /** The result cache lives in `<cacheDir>/results` (libcni's default is /var/lib/cni). */
  cacheDir: string;
  /** Default: the executables of binDirs, run as child processes. */
  exec?: PluginExec;
  /** Per plugin call; default 120 s. */
  timeoutMs?: number;
}
