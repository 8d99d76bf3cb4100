import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from '../build/cni-plugins.ts';
import type { LabConfig } from '../config/lab-config.ts';
import { LAB_NETWORK } from '../config/network-plan.ts';
import { LabError } from '../errors.ts';
import type { NodePlan } from './node-plan.ts';

/**
 * A Loom daemon's entry point: its package's `bin`, found where Node finds the package. Run
 * with `--conditions=loom-source`, as the bin's shebang does, so a checkout needs no build.
 */
export function daemonEntry(pkg: string, bin: string): string {
  const dir = packageDir(pkg);
  let entry: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dir ?? '', 'package.json'), 'utf8')) as {
      bin?: Record<string, string>;
    };
    entry = manifest.bin?.[bin];
  } catch {}
  if (dir === undefined || entry === undefined) {
    throw new LabError(
      'LOOM_LAB_BINARIES_MISSING',
      `cannot find ${bin}: ${dir === undefined ? `the package ${pkg} is not installed` : `${pkg} has no bin ${bin}`}`,
    );
  }
  return join(dir, entry);
}

/**
 * The route agent of a node, with what a CNI DaemonSet's pod would get: its node name, its own
 * kubeconfig, the plugin executables to install, the cluster CIDR. The CNI paths are the
 * agent's defaults (/etc/cni/net.d, /opt/cni/bin), which the node's mount namespace serves.
 */
export function routeAgentCommand(
  config: LabConfig,
  node: Pick<NodePlan, 'name'>,
): { file: string; args: string[] } {
  return {
    file: process.execPath,
    args: [
      '--conditions=loom-source',
      daemonEntry('@loom-net/route-agent', 'loom-route-agent'),
      `--node-name=${node.name}`,
      `--kubeconfig=${config.paths.routeAgentKubeconfig}`,
      `--cni-plugin-dir=${config.paths.cniPluginDir}`,
      `--cluster-cidr=${LAB_NETWORK.clusterCidr}`,
      `--health-port=${LAB_NETWORK.routeAgentHealthPort}`,
    ],
  };
}

/**
 * loom-pod-cidr-allocator in the control-plane namespace: the lab's one candidate for the Lease
 * (named after the lab, so its identity is stable across restarts), health on the loopback.
 */
export function podCidrAllocatorCommand(config: LabConfig): { file: string; args: string[] } {
  return {
    file: process.execPath,
    args: [
      '--conditions=loom-source',
      daemonEntry('@loom-net/ipam', 'loom-pod-cidr-allocator'),
      `--kubeconfig=${config.paths.podCidrAllocatorKubeconfig}`,
      `--cluster-cidr=${LAB_NETWORK.clusterCidr}`,
      `--service-cidr=${LAB_NETWORK.serviceCidr}`,
      `--node-cidr-mask-size-ipv4=${LAB_NETWORK.nodeCidrMaskSize}`,
      `--identity=${config.prefix}lab`,
      `--health-port=${LAB_NETWORK.podCidrAllocatorHealthPort}`,
      '--health-address=127.0.0.1',
    ],
  };
}
