import { CNI_ERROR, CniError } from '../types/cni-error.ts';
import type { CniResult } from '../types/cni-result.ts';
import {
  containerIdProblem,
  interfaceNameProblem,
  networkNameProblem,
} from '../types/identifiers.ts';
import { versionAtLeast } from '../version/cni-version.ts';
import type { CniNetworkList } from './network-config.ts';
import { buildPluginConfig } from './plugin-config.ts';
import { runPlugin, runPluginAdd } from './plugin-run.ts';
import {
  cacheAttachment,
  cachedResult,
  deleteCachedAttachment,
  readCachedAttachment,
} from './result-cache.ts';
import type { CniConfig, CniRuntimeConf } from './runtime-conf.ts';

// libcni AddNetworkList / CheckNetworkList / DelNetworkList: the plugins of a list in order (in
// reverse for DEL), the result of each the next one's prevResult, the final result cached under
// <cacheDir>/results so that CHECK and DEL get it back as prevResult.

/** ADD: each plugin in order, chained by prevResult; the final result is cached and returned. */
export async function addNetworkList(
  list: CniNetworkList,
  rt: CniRuntimeConf,
  cni: CniConfig,
): Promise<CniResult> {
  requireValidAttachment(list, rt);
  let result: CniResult | undefined;
  for (const plugin of list.plugins) {
    const config = buildPluginConfig(list, plugin, result, rt);
    result = await runPluginAdd(cni, list, plugin, config, rt);
  }
  const final = result ?? {};
  cacheAttachment(cni.cacheDir, list, rt, final);
  return final;
}

/**
 * CHECK (spec ≥ 0.4.0; skipped for a list with `disableCheck`): each plugin in order, with the
 * cached ADD result as prevResult.
 */
export async function checkNetworkList(
  list: CniNetworkList,
  rt: CniRuntimeConf,
  cni: CniConfig,
): Promise<void> {
  if (!versionAtLeast(list.cniVersion, '0.4.0')) {
    throw new CniError(
      CNI_ERROR.incompatibleVersion,
      `configuration version ${list.cniVersion} of network ${list.name} does not support the CHECK command`,
    );
  }
  if (list.disableCheck) return;
  const prevResult = getCachedResult(list, rt, cni);
  for (const plugin of list.plugins) {
    await runPlugin(cni, 'CHECK', plugin, buildPluginConfig(list, plugin, prevResult, rt), rt);
  }
}

/**
 * DEL: plugins in reverse order, each given the cached ADD result as prevResult (spec ≥ 0.4.0).
 * The cache entry goes only once every plugin succeeded, so a failed DEL is retried with the
 * same data.
 */
export async function delNetworkList(
  list: CniNetworkList,
  rt: CniRuntimeConf,
  cni: CniConfig,
): Promise<void> {
  const cached = readCachedAttachment(cni.cacheDir, list.name, rt.containerId, rt.ifName);
  const prevResult =
    cached !== undefined && versionAtLeast(list.cniVersion, '0.4.0')
      ? cachedResult(cached, list.cniVersion)
      : undefined;
  for (const plugin of [...list.plugins].reverse()) {
    await runPlugin(cni, 'DEL', plugin, buildPluginConfig(list, plugin, prevResult, rt), rt);
  }
  if (cached !== undefined) deleteCachedAttachment(cni.cacheDir, cached);
}

/** libcni GetNetworkListCachedResult: the cached ADD result of the attachment, if any. */
export function getCachedResult(
  list: CniNetworkList,
  rt: Pick<CniRuntimeConf, 'containerId' | 'ifName'>,
  cni: Pick<CniConfig, 'cacheDir'>,
): CniResult | undefined {
  const cached = readCachedAttachment(cni.cacheDir, list.name, rt.containerId, rt.ifName);
  return cached === undefined ? undefined : cachedResult(cached, list.cniVersion);
}

// libcni's pkg/utils checks before ADD: what becomes a file name in the cache must be safe.
function requireValidAttachment(list: CniNetworkList, rt: CniRuntimeConf): void {
  const problems = [
    [
      'container ID',
      rt.containerId,
      containerIdProblem(rt.containerId),
      CNI_ERROR.invalidEnvironment,
    ],
    ['interface name', rt.ifName, interfaceNameProblem(rt.ifName), CNI_ERROR.invalidEnvironment],
    ['network name', list.name, networkNameProblem(list.name), CNI_ERROR.invalidConfig],
  ] as const;
  for (const [what, value, problem, code] of problems) {
    if (problem !== undefined) {
      throw new CniError(code, `invalid ${what} ${JSON.stringify(value)}: ${problem}`);
    }
  }
}
