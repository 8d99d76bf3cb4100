import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { labNamespaces } from '../../src/state/lab-state.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});

describe("the lab's own namespaces", () => {
  it('records the node namespaces after the switch and the control plane', () => {
    expect(labNamespaces(config, { count: 2, remote: 0 })).toEqual([
      'loom-switch',
      'loom-cp',
      'loom-node1',
      'loom-node2',
    ]);
  });

  it('records the router and the second switch while some nodes are remote', () => {
    expect(labNamespaces(config, { count: 2, remote: 1 })).toEqual([
      'loom-switch',
      'loom-cp',
      'loom-router',
      'loom-switch2',
      'loom-node1',
      'loom-node2',
    ]);
  });
});
