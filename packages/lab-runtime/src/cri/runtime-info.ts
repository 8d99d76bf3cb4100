import { loadFirstNetworkList, statusNetworkList } from '@loom-net/cni-spec/libcni';
import type { RuntimeContext } from '../runtime-context.ts';
import { cniConfig } from '../sandbox/pod-network.ts';
import { describeError } from './cri-error.ts';

/** What `kubectl get nodes -o wide` shows as CONTAINER-RUNTIME: `loom-lab://0.1.0`. */
export const RUNTIME_NAME = 'loom-lab';
export const RUNTIME_VERSION = '0.1.0';

/** Version: the kubelet insists on `version: "0.1.0"` (the CRI version it speaks). */
export function runtimeVersion() {
  return {
    version: '0.1.0',
    runtime_name: RUNTIME_NAME,
    runtime_version: RUNTIME_VERSION,
    runtime_api_version: 'v1',
  };
}

function condition(type: string, status: boolean, reason = '', message = '') {
  return { type, status, reason, message };
}

/**
 * containerd's NetworkReady: true only while a valid CNI config is loaded (and, for spec
 * 1.1 configs, its plugins answer STATUS); otherwise NetworkPluginNotReady, which keeps the
 * node NotReady.
 */
async function networkCondition(ctx: RuntimeContext) {
  const load = loadFirstNetworkList(ctx.options.cniConfDir);
  const notReady = (why: string) =>
    condition(
      'NetworkReady',
      false,
      'NetworkPluginNotReady',
      `Network plugin returns error: ${why}`,
    );
  if (!load.ok) return notReady(load.message);
  try {
    await statusNetworkList(load.list, cniConfig(ctx));
  } catch (error) {
    return notReady(describeError(error));
  }
  return condition('NetworkReady', true);
}

export async function runtimeStatus(ctx: RuntimeContext, verbose: boolean) {
  const network = await networkCondition(ctx);
  const config = {
    socket: ctx.options.socket,
    stateDir: ctx.options.stateDir,
    cniConfDir: ctx.options.cniConfDir,
    cniBinDirs: ctx.options.cniBinDirs,
    cniCacheDir: ctx.options.cniCacheDir,
    netnsPrefix: ctx.options.netnsPrefix,
    podCidr: ctx.podCidr,
    images: ctx.images.map.source,
  };
  return {
    status: { conditions: [condition('RuntimeReady', true), network] },
    info: verbose ? { config: JSON.stringify(config) } : {},
    runtime_handlers: [
      { name: '', features: { recursive_read_only_mounts: false, user_namespaces: false } },
    ],
    features: {
      supplemental_groups_policy: false,
      user_namespaces_host_network: false,
      mount_options: false,
    },
  };
}

/** RuntimeConfig: cgroupfs, which is what the lab's kubelets are configured with. */
export function runtimeConfig() {
  return { linux: { cgroup_driver: 'CGROUPFS' } };
}
