import {
  ATTACHMENTS_KEY,
  attachmentJson,
  type CniAttachment,
  VALID_ATTACHMENTS_KEY,
} from '../types/cni-attachment.ts';
import { type CniError, withContext } from '../types/cni-error.ts';
import { versionAtLeast } from '../version/cni-version.ts';
import type { CniNetworkList } from './network-config.ts';
import { delNetworkList } from './network-list.ts';
import { runPlugin } from './plugin-run.ts';
import { listCachedAttachments } from './result-cache.ts';
import type { CniConfig, CniRuntimeConf } from './runtime-conf.ts';

/**
 * libcni GCNetworkList (skipped for a list with `disableGC`): DEL every cached attachment of
 * this network that is not in `valid`, then, for spec ≥ 1.1.0, the GC verb with
 * `cni.dev/valid-attachments`. Every step runs; the failures are returned.
 */
export async function gcNetworkList(
  list: CniNetworkList,
  valid: readonly CniAttachment[],
  cni: CniConfig,
): Promise<CniError[]> {
  if (list.disableGC) return [];
  const errors: CniError[] = [];
  const isValid = (id: string, ifName: string) =>
    valid.some((a) => a.containerId === id && a.ifname === ifName);
  for (const entry of listCachedAttachments(cni.cacheDir)) {
    if (entry.networkName !== list.name || isValid(entry.containerId, entry.ifName)) continue;
    const rt: CniRuntimeConf = {
      containerId: entry.containerId,
      netns: entry.netns ?? '',
      ifName: entry.ifName,
      args: entry.cniArgs ?? [],
      capabilityArgs: entry.capabilityArgs ?? {},
    };
    await delNetworkList(list, rt, cni).catch((error) => {
      errors.push(
        withContext(
          error,
          `failed to delete stale attachment ${entry.containerId} ${entry.ifName}`,
        ),
      );
    });
  }
  if (!versionAtLeast(list.cniVersion, '1.1.0')) return errors;
  const attachments = valid.map(attachmentJson);
  for (const plugin of list.plugins) {
    const config = {
      ...plugin,
      name: list.name,
      cniVersion: list.cniVersion,
      [VALID_ATTACHMENTS_KEY]: attachments,
      [ATTACHMENTS_KEY]: attachments,
    };
    await runPlugin(cni, 'GC', plugin, config, undefined).catch((error) => {
      errors.push(withContext(error, `failed to GC plugin ${plugin.type}`));
    });
  }
  return errors;
}

/**
 * libcni GetStatusNetworkList: STATUS of each plugin, only for spec ≥ 1.1.0 lists; the first
 * failure is thrown as the plugin reported it (50 or 51: not ready).
 */
export async function statusNetworkList(list: CniNetworkList, cni: CniConfig): Promise<void> {
  if (!versionAtLeast(list.cniVersion, '1.1.0')) return;
  for (const plugin of list.plugins) {
    const config = { ...plugin, name: list.name, cniVersion: list.cniVersion };
    await runPlugin(cni, 'STATUS', plugin, config, undefined);
  }
}
