import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { parseMountinfo } from '../../src/mounts/mountinfo.ts';
import {
  mountsToPrivatize,
  nodeBinds,
  nodeMountScript,
} from '../../src/nodes/node-mount-namespace.ts';
import { planNode } from '../../src/nodes/node-plan.ts';

// A systemd machine's table: / and /run shared, /run/netns shared by iproute2, /boot private.
const MOUNTINFO = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /run rw,nosuid shared:2 - tmpfs tmpfs rw
24 23 0:21 /netns /run/netns rw shared:7 - tmpfs tmpfs rw
27 24 0:4 net:[4026532452] /run/netns/loom-node1 rw shared:9 - nsfs nsfs rw
25 22 8:2 / /boot rw - ext4 /dev/sda2 rw
26 22 8:1 /home/a\\040b /mnt/with\\040space rw master:1 - ext4 /dev/sda1 rw
`;

describe('mountinfo', () => {
  it('parses mount points, propagation tags and escaped spaces', () => {
    const table = parseMountinfo(MOUNTINFO);
    expect(table).toHaveLength(6);
    expect(table[2]).toEqual({
      id: 24,
      parentId: 23,
      root: '/netns',
      mountPoint: '/run/netns',
      optional: ['shared:7'],
      fsType: 'tmpfs',
      source: 'tmpfs',
    });
    expect(table[5]).toMatchObject({ root: '/home/a b', mountPoint: '/mnt/with space' });
  });

  it('privatizes every shared mount but the netns directory and the namespaces in it', () => {
    expect(mountsToPrivatize(parseMountinfo(MOUNTINFO), '/run/netns')).toEqual(['/', '/run']);
  });
});

describe('the node mount namespace', () => {
  const config = resolveLabConfig({ stateDir: "/srv/o'lab", prefix: 'loom-' }, {});
  const node = planNode(config, 1);

  it('mounts the node tree at every standard path', () => {
    expect(nodeBinds(node).map(({ target }) => target)).toEqual([
      '/etc/cni/net.d',
      '/opt/cni/bin',
      '/var/lib/cni',
      '/var/lib/kubelet',
      '/var/log/pods',
      '/var/log/containers',
      '/run/loom',
    ]);
    expect(nodeBinds(node)[3]).toEqual({
      source: "/srv/o'lab/nodes/node1/root/var/lib/kubelet",
      target: '/var/lib/kubelet',
    });
  });

  it('privatizes first, then binds, quoting paths for the shell', () => {
    const script = nodeMountScript({
      privatize: ['/'],
      binds: [{ source: "/srv/o'lab/a", target: '/etc/cni/net.d' }],
    });
    expect(script).toBe(
      [
        "if mountpoint -q '/'; then mount --make-private '/'; fi",
        "mkdir -p '/etc/cni/net.d'",
        "mount --bind '/srv/o'\\''lab/a' '/etc/cni/net.d'",
        '',
      ].join('\n'),
    );
  });
});
