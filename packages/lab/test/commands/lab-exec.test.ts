import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execArgv, readySandbox } from '../../src/commands/lab-exec.ts';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { planNode } from '../../src/nodes/node-plan.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});
const node = planNode(config, 1);

describe('loom lab exec', () => {
  it('enters a node by its network namespace and mount namespace', () => {
    expect(execArgv({ description: 'node node1', netns: 'loom-node1', node }, ['ip', 'r'])).toEqual(
      [
        'nsenter',
        '--net=/var/run/netns/loom-node1',
        '--mount=/var/lib/loom-lab/mntns/node1',
        '--',
        'ip',
        'r',
      ],
    );
  });

  it("enters a pod's network namespace with the pod's resolv.conf over the node's", () => {
    const argv = execArgv(
      { description: 'pod', netns: 'loom-node1-0123456789ab', node, resolvConf: '/x/resolv.conf' },
      ['dig', 'kubernetes.default'],
    );
    expect(argv.slice(0, 4)).toEqual([
      'nsenter',
      '--net=/var/run/netns/loom-node1-0123456789ab',
      '--mount=/var/lib/loom-lab/mntns/node1',
      '--',
    ]);
    expect(argv.slice(4, 9)).toEqual(['unshare', '--mount', '--propagation', 'private', '--']);
    expect(argv.slice(-3)).toEqual(['/x/resolv.conf', 'dig', 'kubernetes.default']);
  });

  describe("finds a pod's sandbox in the node runtime's records", () => {
    // Made in beforeAll, not at collection: `vitest list` collects without running hooks.
    let stateDir: string;
    const sandbox = (id: string, uid: string, state: string, createdAt: string) => {
      mkdirSync(join(stateDir, 'sandboxes', id), { recursive: true });
      writeFileSync(
        join(stateDir, 'sandboxes', id, 'sandbox.json'),
        JSON.stringify({
          id,
          state,
          createdAt,
          netns: `loom-node1-${id}`,
          config: { metadata: { uid } },
        }),
      );
    };
    beforeAll(() => {
      stateDir = mkdtempSync(join(tmpdir(), 'loom-exec-test-'));
      sandbox('old', 'uid-a', 'ready', '1000');
      sandbox('new', 'uid-a', 'ready', '2000');
      sandbox('stopped', 'uid-a', 'notready', '3000');
      sandbox('other', 'uid-b', 'ready', '4000');
    });
    afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

    it.each([
      { uid: 'uid-a', netns: 'loom-node1-new' },
      { uid: 'uid-b', netns: 'loom-node1-other' },
      { uid: 'uid-c', netns: undefined },
    ])('pod $uid → $netns', ({ uid, netns }) => {
      expect(readySandbox({ runtimeStateDir: stateDir }, uid)?.record.netns).toBe(netns);
    });
  });
});
