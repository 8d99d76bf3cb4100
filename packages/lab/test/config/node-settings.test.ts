import { describe, expect, it } from 'vitest';
import { recordedNodeSettings, resolveNodeSettings } from '../../src/config/node-settings.ts';
import { isLabError } from '../../src/errors.ts';

describe('node settings', () => {
  const current = { count: 5, remote: 2, cni: 'none', podCidrs: 'controller-manager' } as const;

  it.each([
    {
      options: {},
      was: undefined,
      want: { count: 3, remote: 0, cni: 'loom', podCidrs: 'lab' },
    },
    { options: {}, was: current, want: current },
    { options: { nodes: 6 }, was: current, want: { ...current, count: 6 } },
    // Fewer nodes than were remote: all that are left are.
    { options: { nodes: 1 }, was: current, want: { ...current, count: 1, remote: 1 } },
    { options: { remoteNodes: 0 }, was: current, want: { ...current, remote: 0 } },
    { options: { cni: 'bridge' as const }, was: current, want: { ...current, cni: 'bridge' } },
    {
      options: { podCidrs: 'loom' as const },
      was: current,
      want: { ...current, podCidrs: 'loom' },
    },
    {
      options: { nodes: 0 },
      was: undefined,
      want: { count: 0, remote: 0, cni: 'loom', podCidrs: 'lab' },
    },
  ])('asked $options with $was → $want', ({ options, was, want }) => {
    expect(resolveNodeSettings(options, was)).toEqual(want);
  });

  it.each([
    { options: { nodes: -1 }, message: 'invalid node count "-1"' },
    { options: { nodes: 2.5 }, message: 'invalid node count "2.5"' },
    { options: { nodes: 201 }, message: 'expected a whole number from 0 to 200' },
    {
      options: { cni: 'flannel' as never },
      message: 'invalid CNI "flannel": expected one of loom, bridge, none',
    },
    { options: { podCidrs: 'dhcp' as never }, message: 'invalid pod CIDR mode "dhcp"' },
    {
      options: { nodes: 2, remoteNodes: 3 },
      message:
        'invalid remote node count "3": expected a whole number from 0 to the node count (2)',
    },
  ])('refuses $options', ({ options, message }) => {
    let error: unknown;
    try {
      resolveNodeSettings(options, undefined);
    } catch (caught) {
      error = caught;
    }
    expect(isLabError(error, 'LOOM_LAB_BAD_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});

describe('node settings recorded by an older lab', () => {
  it.each([
    {
      recorded: { count: 3, cni: 'bridge', podCidrs: 'static' },
      want: { count: 3, remote: 0, cni: 'bridge', podCidrs: 'lab' },
    },
    {
      recorded: { count: 2, remote: 1, cni: 'loom', podCidrs: 'loom' },
      want: { count: 2, remote: 1, cni: 'loom', podCidrs: 'loom' },
    },
    { recorded: undefined, want: undefined },
  ])('$recorded reads as $want', ({ recorded, want }) => {
    expect(recordedNodeSettings(recorded)).toEqual(want);
  });
});
