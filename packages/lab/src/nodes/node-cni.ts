import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import type { LabCni } from '../config/lab-config.ts';
import { type NodePlan, nodeTreePath } from './node-plan.ts';

/** Debian's containernetworking-plugins: what a node uses with `--cni bridge`. */
export const REFERENCE_PLUGIN_DIR = '/usr/lib/cni';
export const REFERENCE_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'] as const;
export const BRIDGE_NETWORK_NAME = 'lab-bridge';
export const BRIDGE_CONFLIST = `10-${BRIDGE_NETWORK_NAME}.conflist`;
/**
 * What the route agent writes with `--cni loom` (its defaults: network `loom`, loom-ipam's
 * state in /var/lib/cni/loom-ipam/<network>).
 */
export const LOOM_NETWORK_NAME = 'loom';
export const LOOM_CONFLIST = '10-loom.conflist';
export const LOOM_IPAM_DATABASE = `/var/lib/cni/loom-ipam/${LOOM_NETWORK_NAME}/loom-ipam.sqlite`;
/** The conflist each choice puts in the node's conf dir (none for `none`). */
const CONFLIST_OF: Record<LabCni, string | undefined> = {
  loom: LOOM_CONFLIST,
  bridge: BRIDGE_CONFLIST,
  none: undefined,
};

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
 * Puts the node's CNI in place. The other choices' conflists go first (the runtime takes the
 * first file by name, and `10-lab-bridge` sorts before `10-loom`). For `bridge`, the reference
 * plugins go in its /opt/cni/bin and the conflist over `podCidr` in its /etc/cni/net.d (written
 * atomically: the runtime reads the directory on every status call); for `loom`, the
 * `loom-node` DaemonSet's pod installs both; for `none`, the directory is left to whoever installs a CNI.
 */
export function installNodeCni(node: NodePlan, cni: LabCni, podCidr: string | undefined): void {
  const confDir = cniConfDir(node);
  mkdirSync(confDir, { recursive: true });
  for (const [choice, file] of Object.entries(CONFLIST_OF)) {
    if (choice !== cni && file !== undefined && ownedByLab(choice, cni)) {
      rmSync(join(confDir, file), { force: true });
    }
  }
  if (cni !== 'bridge') return;
  if (podCidr === undefined) throw new Error(`${node.name} has no podCIDR to configure CNI with`);
  const binDir = cniBinDir(node);
  mkdirSync(binDir, { recursive: true });
  for (const plugin of REFERENCE_PLUGINS) {
    copyIfChanged(join(REFERENCE_PLUGIN_DIR, plugin), join(binDir, plugin));
  }
  writeFileAtomicSync(
    join(confDir, BRIDGE_CONFLIST),
    `${JSON.stringify(bridgeConflist(podCidr), null, 2)}\n`,
  );
}

/**
 * Whether the lab removes `choice`'s conflist from a node that wants `cni`: on a bare lab
 * (`none`), Loom's belongs to whoever ran `loom install` there, not to the lab.
 */
function ownedByLab(choice: string, cni: LabCni): boolean {
  return !(cni === 'none' && choice === 'loom');
}

/**
 * Whether the node's CNI config is what `cni` wants (for `up`'s quick "nothing to do"): its
 * conflist is there (for `loom`, the route agent wrote it) and no other choice's is.
 */
export function nodeCniInPlace(node: NodePlan, cni: LabCni): boolean {
  let names: string[];
  try {
    names = readdirSync(cniConfDir(node));
  } catch {
    return false;
  }
  return Object.entries(CONFLIST_OF).every(([choice, file]) =>
    file === undefined || !ownedByLab(choice, cni)
      ? true
      : names.includes(file) === (choice === cni),
  );
}
