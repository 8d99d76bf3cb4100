import { formatCniArgs } from '../types/cni-args.ts';
import type { CniCommand } from '../types/cni-command.ts';

/** pkg/invoke Args: what a runtime tells a plugin through the environment (SPEC.md section 2). */
export interface PluginArgs {
  command: CniCommand;
  containerId?: string;
  /** The netns path; '' (or absent) when it is gone, which DEL must tolerate. */
  netns?: string;
  ifName?: string;
  /** `CNI_ARGS` pairs, in order. */
  args?: readonly (readonly [string, string])[];
  /** Where the plugin looks for the plugins it delegates to (`CNI_PATH`). */
  path: readonly string[];
}

/** The environment of one call: `base` (the caller's own by default) plus every CNI_ variable. */
export function pluginEnvironment(
  args: PluginArgs,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...base,
    CNI_COMMAND: args.command,
    CNI_CONTAINERID: args.containerId ?? '',
    CNI_NETNS: args.netns ?? '',
    CNI_ARGS: formatCniArgs(args.args ?? []),
    CNI_IFNAME: args.ifName ?? '',
    CNI_PATH: args.path.join(':'),
  };
}

/**
 * A delegated plugin's environment (pkg/invoke DelegateArgs): the delegating plugin's own, as
 * the runtime set it, with only the command replaced (SPEC.md section 4).
 */
export function delegateEnvironment(
  command: CniCommand,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...base, CNI_COMMAND: command };
}
