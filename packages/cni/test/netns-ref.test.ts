import { CNI_ERROR, type CniError } from '@loom-net/cni-spec';
import { describe, expect, it } from 'vitest';
import { requirePodNetns, runnerNetns } from '../src/netns-ref.ts';

describe('CNI_NETNS', () => {
  it('enters a named namespace by name, anything else by its path', () => {
    expect(runnerNetns('/var/run/netns/cni-1234')).toBe('cni-1234');
    expect(runnerNetns('/run/netns/cni-1234')).toBe('cni-1234');
    expect(runnerNetns('/proc/42/ns/net')).toBe('/proc/42/ns/net');
    // `ip -n` cannot take these names: nsenter gets the path instead.
    expect(runnerNetns('/var/run/netns/pod 1')).toBe('/var/run/netns/pod 1');
    expect(runnerNetns('/var/run/netns/.hidden')).toBe('/var/run/netns/.hidden');
  });

  it.each([
    ['#', '/var/run/netns/pod#1'],
    ['a line break', '/var/run/netns/pod\n1'],
    ['whitespace with both quote kinds', `/var/run/netns/"it's" here`],
  ])('refuses a path holding %s with code 4, before looking for it', (_, path) => {
    const error = (() => {
      try {
        requirePodNetns(path);
      } catch (e) {
        return e as CniError;
      }
    })();
    expect(error).toMatchObject({
      code: CNI_ERROR.invalidEnvironment,
      message: `CNI_NETNS ${JSON.stringify(path)} cannot be used: loom-cni passes it to ip -batch, which cannot read a path holding '#', a line break, or whitespace together with both ' and "`,
    });
  });

  it('refuses a missing one with code 4', () => {
    expect(() => requirePodNetns('/var/run/netns/loom-t missing')).toThrow(
      'CNI_NETNS /var/run/netns/loom-t missing does not exist',
    );
  });
});
