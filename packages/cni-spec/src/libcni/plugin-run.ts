import { execPlugin, execPluginWithResult, type PluginCall } from '../invoke/exec-plugin.ts';
import { findInPath, requireInPath } from '../invoke/find-in-path.ts';
import { pluginEnvironment } from '../invoke/plugin-env.ts';
import type { CniCommand } from '../types/cni-command.ts';
import type { CniResult } from '../types/cni-result.ts';
import type { CniNetworkList, CniPluginConf } from './network-config.ts';
import { describePlugin } from './plugin-config.ts';
import type { CniConfig, CniRuntimeConf, PluginExec } from './runtime-conf.ts';

// One plugin of a list, run as libcni's addNetwork / delNetwork / gcNetwork do: found in the bin
// dirs, given the attachment's environment (an empty one for GC and STATUS), its stderr kept for
// the error of a failed call.

const DEFAULT_EXEC: PluginExec = { find: findInPath, run: execPlugin };

function prepare(
  cni: CniConfig,
  command: CniCommand,
  plugin: CniPluginConf,
  config: Record<string, unknown>,
  rt: CniRuntimeConf | undefined,
): { exec: PluginExec; path: string; call: PluginCall } {
  const exec = cni.exec ?? DEFAULT_EXEC;
  const label = `plugin ${describePlugin(plugin)}`;
  const path = requireInPath(plugin.type, cni.binDirs, label, exec.find);
  const env = pluginEnvironment({
    command,
    containerId: rt?.containerId,
    netns: rt?.netns,
    ifName: rt?.ifName,
    args: rt?.args,
    path: cni.binDirs,
  });
  const call: PluginCall = {
    command,
    env,
    stdin: JSON.stringify(config),
    label,
    stderr: 'capture',
  };
  if (cni.timeoutMs !== undefined) call.timeoutMs = cni.timeoutMs;
  return { exec, path, call };
}

export async function runPluginAdd(
  cni: CniConfig,
  list: CniNetworkList,
  plugin: CniPluginConf,
  config: Record<string, unknown>,
  rt: CniRuntimeConf,
): Promise<CniResult> {
  const { exec, path, call } = prepare(cni, 'ADD', plugin, config, rt);
  return execPluginWithResult(exec.run, path, call, list.cniVersion);
}

export async function runPlugin(
  cni: CniConfig,
  command: Exclude<CniCommand, 'ADD' | 'VERSION'>,
  plugin: CniPluginConf,
  config: Record<string, unknown>,
  rt: CniRuntimeConf | undefined,
): Promise<void> {
  const { exec, path, call } = prepare(cni, command, plugin, config, rt);
  await exec.run(path, call);
}
