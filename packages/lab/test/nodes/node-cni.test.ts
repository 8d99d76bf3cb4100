import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabCni } from '../../src/config/lab-config.ts';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import {
  BRIDGE_CONFLIST,
  bridgeConflist,
  cniConfDir,
  installNodeCni,
  LOOM_CONFLIST,
  nodeCniInPlace,
} from '../../src/nodes/node-cni.ts';
import { planNode } from '../../src/nodes/node-plan.ts';

describe('the reference CNI config of a node', () => {
  it('is a bridge that is the gateway of the node podCIDR, host-local, portmap, no masquerade', () => {
    expect(bridgeConflist('10.244.2.0/24')).toEqual({
      cniVersion: '1.0.0',
      name: 'lab-bridge',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.244.2.0/24' }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });
});

describe("a node's CNI choice", () => {
  let stateDir: string | undefined;
  afterEach(() => {
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  function nodeWith(files: string[]) {
    stateDir = mkdtempSync(join(tmpdir(), 'loom-node-cni-'));
    const node = planNode(resolveLabConfig({ stateDir }, {}), 1);
    mkdirSync(cniConfDir(node), { recursive: true });
    for (const file of files) writeFileSync(join(cniConfDir(node), file), '{}');
    return node;
  }

  // The runtime loads the first conflist by name, and 10-lab-bridge sorts before 10-loom.
  it.each<{ cni: LabCni; before: string[]; after: string[] }>([
    { cni: 'loom', before: [BRIDGE_CONFLIST, LOOM_CONFLIST], after: [LOOM_CONFLIST] },
    { cni: 'loom', before: [BRIDGE_CONFLIST], after: [] },
    {
      cni: 'none',
      before: [BRIDGE_CONFLIST, LOOM_CONFLIST, '99-other.conf'],
      after: [LOOM_CONFLIST, '99-other.conf'],
    },
  ])(
    "$cni turns $before into $after (Loom's conflist is its DaemonSet's to write)",
    ({ cni, before, after }) => {
      const node = nodeWith(before);
      installNodeCni(node, cni, node.podCidr);
      expect(readdirSync(cniConfDir(node)).sort()).toEqual(after);
    },
  );

  it.each<{ cni: LabCni; files: string[]; inPlace: boolean }>([
    { cni: 'loom', files: [LOOM_CONFLIST], inPlace: true },
    { cni: 'loom', files: [], inPlace: false },
    { cni: 'loom', files: [LOOM_CONFLIST, BRIDGE_CONFLIST], inPlace: false },
    { cni: 'bridge', files: [BRIDGE_CONFLIST], inPlace: true },
    { cni: 'bridge', files: [BRIDGE_CONFLIST, LOOM_CONFLIST], inPlace: false },
    { cni: 'none', files: [], inPlace: true },
    // A bare lab on which a user ran `loom install`.
    { cni: 'none', files: [LOOM_CONFLIST], inPlace: true },
    { cni: 'none', files: [BRIDGE_CONFLIST], inPlace: false },
  ])('$cni with $files is in place: $inPlace', ({ cni, files, inPlace }) => {
    expect(nodeCniInPlace(nodeWith(files), cni)).toBe(inPlace);
  });
});
