import { describe, expect, it } from 'vitest';
import { buildPluginConfig, describePlugin } from '../../src/libcni/plugin-config.ts';

describe('buildPluginConfig (libcni buildOneConfig)', () => {
  const rt = {
    containerId: 'c1',
    netns: '/var/run/netns/x',
    ifName: 'eth0',
    args: [] as [string, string][],
    capabilityArgs: { portMappings: [{ hostPort: 80 }], dns: { servers: ['192.0.2.1'] } },
  };

  it('injects name, version, prevResult (in that version) and only the declared capabilities', () => {
    const plugin = { type: 'portmap', capabilities: { portMappings: true, bandwidth: true } };
    const prevResult = { ips: [{ address: '192.0.2.5/24' }] };
    const config = buildPluginConfig({ name: 'net', cniVersion: '0.4.0' }, plugin, prevResult, rt);
    expect(config).toEqual({
      ...plugin,
      name: 'net',
      cniVersion: '0.4.0',
      prevResult: { cniVersion: '0.4.0', ips: [{ version: '4', address: '192.0.2.5/24' }] },
      runtimeConfig: { portMappings: [{ hostPort: 80 }] },
    });
  });

  it('adds no runtimeConfig to a plugin without capabilities', () => {
    const config = buildPluginConfig(
      { name: 'net', cniVersion: '1.0.0' },
      { type: 'bridge' },
      undefined,
      rt,
    );
    expect(config).toEqual({ type: 'bridge', name: 'net', cniVersion: '1.0.0' });
  });

  it('names a plugin as libcni does in its errors', () => {
    expect(describePlugin({ type: 'bridge' })).toBe('type="bridge"');
    expect(describePlugin({ type: 'bridge', name: 'b0' })).toBe('type="bridge" name="b0"');
  });
});
