import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LabCni } from '../lab-config.ts';
import { writeFileAtomic } from '../state/write-file-atomic.ts';
import { type NodePlan, nodeTreePath } from './node-plan.ts';

/** Debian's containernetworking-plugins: what a node uses until Loom's CNI is the default. */
export const REFERENCE_PLUGIN_DIR = '/usr/lib/cni';
export const REFERENCE_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'] as const;
export const BRIDGE_NETWORK_NAME = 'lab-bridge';
export const BRIDGE_CONFLIST = `10-${BRIDGE_NETWORK_NAME}.conflist`;

/**
 * The node's network config: a `cni0` bridge that is the pods' gateway, host-local handing out
 * the node's podCIDR, portmap for hostPorts. No masquerade: pods reach only the island.
 * cniVersion 1.0.0 is the newest Debian's plugins (1.1.1) speak.
 */
export function bridgeConflist(podCidr: string): object {
  return {
    cniVersion: '1.0.0',
    name: BRIDGE_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

export function cniConfDir(node: Pick<NodePlan, 'root'>): string {
  return nodeTreePath(node, '/etc/cni/net.d');
}

export function cniBinDir(node: Pick<NodePlan, 'root'>): string {
  return nodeTreePath(node, '/opt/cni/bin');
}

// Copies a plugin only when it differs in size or age (a node restart is not a reinstall),
// through a temporary name and a rename: a running plugin binary cannot be overwritten.
function copyIfChanged(source: string, target: string): void {
  try {
    const [from, to] = [statSync(source), statSync(target)];
    if (from.size === to.size && from.mtimeMs <= to.mtimeMs) return;
  } catch {}
  copyFileSync(source, `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
}

/**
 * Puts the node's CNI in place: for `bridge`, the reference plugins in its /opt/cni/bin and the
 * conflist over `podCidr` in its /etc/cni/net.d (written atomically: the runtime watches the
 * directory); for `none`, the lab's conflist is removed, leaving the directory to whoever
 * installs a CNI.
 */
export function installNodeCni(node: NodePlan, cni: LabCni, podCidr: string | undefined): void {
  const confDir = cniConfDir(node);
  mkdirSync(confDir, { recursive: true });
  if (cni === 'none') {
    rmSync(join(confDir, BRIDGE_CONFLIST), { force: true });
    return;
  }
  if (podCidr === undefined) throw new Error(`${node.name} has no podCIDR to configure CNI with`);
  const binDir = cniBinDir(node);
  mkdirSync(binDir, { recursive: true });
  for (const plugin of REFERENCE_PLUGINS) {
    copyIfChanged(join(REFERENCE_PLUGIN_DIR, plugin), join(binDir, plugin));
  }
  writeFileAtomic(
    join(confDir, BRIDGE_CONFLIST),
    `${JSON.stringify(bridgeConflist(podCidr), null, 2)}\n`,
  );
}

/** Whether the node's CNI config is what `cni` wants (for `up`'s quick "nothing to do"). */
export function nodeCniInPlace(node: NodePlan, cni: LabCni): boolean {
  let names: string[];
  try {
    names = readdirSync(cniConfDir(node));
  } catch {
    return false;
  }
  return cni === 'none' ? !names.includes(BRIDGE_CONFLIST) : names.includes(BRIDGE_CONFLIST);
}
