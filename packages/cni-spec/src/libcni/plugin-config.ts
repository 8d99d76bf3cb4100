import type { CniResult } from '../types/cni-result.ts';
import { writeResult } from '../types/result-versions.ts';
import type { CniNetworkList, CniPluginConf } from './network-config.ts';
import type { CniRuntimeConf } from './runtime-conf.ts';

/**
 * libcni buildOneConfig: the plugin's entry with the list's name and version, the previous
 * result in that version, and a `runtimeConfig` holding only the capabilities the plugin
 * declares (`"capabilities": {"portMappings": true}`) and the runtime supplied.
 */
export function buildPluginConfig(
  list: Pick<CniNetworkList, 'name' | 'cniVersion'>,
  plugin: CniPluginConf,
  prevResult: CniResult | undefined,
  rt: CniRuntimeConf | undefined,
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...plugin,
    name: list.name,
    cniVersion: list.cniVersion,
  };
  if (prevResult !== undefined) config.prevResult = writeResult(prevResult, list.cniVersion);
  const capabilities = (plugin.capabilities ?? {}) as Record<string, unknown>;
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, supported] of Object.entries(capabilities)) {
    if (supported === true && rt?.capabilityArgs[capability] !== undefined) {
      runtimeConfig[capability] = rt.capabilityArgs[capability];
    }
  }
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  return config;
}

/** `type="bridge" name="pods"`, as libcni names a plugin of a list in its errors. */
export function describePlugin(plugin: CniPluginConf): string {
  return `type="${plugin.type}"${typeof plugin.name === 'string' && plugin.name !== '' ? ` name="${plugin.name}"` : ''}`;
}
