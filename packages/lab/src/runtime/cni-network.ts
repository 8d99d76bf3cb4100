import type { CniJson, CniNetworkList } from './cni-config.ts';
import { cniVersionAtLeast } from './cni-config.ts';
import type { CniRuntimeConf } from './cni-invoke.ts';
import { CniPluginError, execPlugin } from './cni-invoke.ts';
import {
  deleteCachedAttachment,
  listCachedAttachments,
  readCachedAttachment,
  writeCachedAttachment,
} from './cni-result-cache.ts';

export interface CniDirs {
  binDirs: readonly string[];
  cacheDir: string;
}

/**
 * libcni buildOneConfig: the plugin's config with the list's name and version, the previous
 * result, and a `runtimeConfig` holding only the capabilities the plugin declares.
 */
export function buildPluginConfig(
  list: Pick<CniNetworkList, 'name' | 'cniVersion'>,
  plugin: CniJson,
  prevResult: CniJson | undefined,
  rt: CniRuntimeConf | undefined,
): CniJson {
  const config: CniJson = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  if (prevResult !== undefined) config.prevResult = prevResult;
  const capabilities = (plugin.capabilities ?? {}) as Record<string, unknown>;
  const runtimeConfig: CniJson = {};
  for (const [capability, supported] of Object.entries(capabilities)) {
    if (supported === true && rt?.capabilityArgs[capability] !== undefined) {
      runtimeConfig[capability] = rt.capabilityArgs[capability];
    }
  }
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  return config;
}

function describePlugin(plugin: CniJson): string {
  return `type="${String(plugin.type)}"${plugin.name ? ` name="${String(plugin.name)}"` : ''}`;
}

/** libcni AddNetworkList: each plugin in order, chained by prevResult; the result is cached. */
export async function addNetworkList(
  list: CniNetworkList,
  rt: CniRuntimeConf,
  dirs: CniDirs,
): Promise<CniJson> {
  let result: CniJson | undefined;
  for (const plugin of list.plugins) {
    try {
      const config = buildPluginConfig(list, plugin, result, rt);
      result = await execPlugin('ADD', config, rt, dirs.binDirs);
    } catch (error) {
      throw wrap(error, `plugin ${describePlugin(plugin)} failed (add)`);
    }
  }
  writeCachedAttachment(dirs.cacheDir, {
    kind: 'cniCacheV1',
    containerId: rt.containerId,
    config: Buffer.from(list.bytes).toString('base64'),
    ifName: rt.ifName,
    networkName: list.name,
    netns: rt.netns,
    cniArgs: rt.args,
    capabilityArgs: rt.capabilityArgs,
    result: result ?? {},
  });
  return result ?? {};
}

/**
 * libcni DelNetworkList: plugins in reverse order, each given the cached ADD result as
 * prevResult (spec ≥ 0.4.0). The cache entry goes only once every plugin succeeded, so a
 * failed DEL is retried with the same data.
 */
export async function delNetworkList(
  list: CniNetworkList,
  rt: CniRuntimeConf,
  dirs: CniDirs,
): Promise<void> {
  const cached = readCachedAttachment(dirs.cacheDir, list.name, rt.containerId, rt.ifName);
  const prevResult = cniVersionAtLeast(list.cniVersion, '0.4.0') ? cached?.result : undefined;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await execPlugin('DEL', buildPluginConfig(list, plugin, prevResult, rt), rt, dirs.binDirs);
    } catch (error) {
      throw wrap(error, `plugin ${describePlugin(plugin)} failed (delete)`);
    }
  }
  if (cached !== undefined) deleteCachedAttachment(dirs.cacheDir, cached);
}

/** The network list an attachment was made with, from its cache entry (libcni caches it). */
export function cachedNetworkList(
  config: string,
  fallbackName: string,
): CniNetworkList | undefined {
  try {
    const bytes = Buffer.from(config, 'base64').toString('utf8');
    const raw = JSON.parse(bytes) as CniJson;
    if (!Array.isArray(raw.plugins)) return undefined;
    return {
      name: typeof raw.name === 'string' ? raw.name : fallbackName,
      cniVersion: typeof raw.cniVersion === 'string' ? raw.cniVersion : '0.1.0',
      plugins: raw.plugins as CniJson[],
      bytes,
      file: '(result cache)',
    };
  } catch {
    return undefined;
  }
}

export interface GcAttachment {
  containerID: string;
  ifname: string;
}

/**
 * libcni GCNetworkList: DEL every cached attachment of this network that is not valid, then,
 * for spec ≥ 1.1.0, the GC verb with `cni.dev/valid-attachments`. Returns the errors.
 */
export async function gcNetworkList(
  list: CniNetworkList,
  valid: readonly GcAttachment[],
  dirs: CniDirs,
): Promise<Error[]> {
  const errors: Error[] = [];
  const isValid = (id: string, ifName: string) =>
    valid.some((a) => a.containerID === id && a.ifname === ifName);
  for (const entry of listCachedAttachments(dirs.cacheDir)) {
    if (entry.networkName !== list.name || isValid(entry.containerId, entry.ifName)) continue;
    const rt: CniRuntimeConf = {
      containerId: entry.containerId,
      netns: entry.netns ?? '',
      ifName: entry.ifName,
      args: entry.cniArgs ?? [],
      capabilityArgs: entry.capabilityArgs ?? {},
    };
    try {
      await delNetworkList(list, rt, dirs);
    } catch (error) {
      errors.push(
        wrap(error, `failed to delete stale attachment ${entry.containerId} ${entry.ifName}`),
      );
    }
  }
  if (!cniVersionAtLeast(list.cniVersion, '1.1.0')) return errors;
  for (const plugin of list.plugins) {
    const config = { ...plugin, name: list.name, cniVersion: list.cniVersion };
    try {
      await execPlugin(
        'GC',
        { ...config, 'cni.dev/valid-attachments': valid },
        undefined,
        dirs.binDirs,
      );
    } catch (error) {
      errors.push(wrap(error, `failed to GC plugin ${String(plugin.type)}`));
    }
  }
  return errors;
}

/** libcni GetStatusNetworkList: the STATUS verb, only for spec ≥ 1.1.0 lists. */
export async function statusNetworkList(list: CniNetworkList, dirs: CniDirs): Promise<void> {
  if (!cniVersionAtLeast(list.cniVersion, '1.1.0')) return;
  for (const plugin of list.plugins) {
    const config = { ...plugin, name: list.name, cniVersion: list.cniVersion };
    await execPlugin('STATUS', config, undefined, dirs.binDirs);
  }
}

function wrap(error: unknown, context: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CniPluginError) {
    return new CniPluginError(error.plugin, error.command, `${context}: ${message}`);
  }
  return new Error(`${context}: ${message}`, { cause: error });
}
