import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';

describe('resolveLabConfig', () => {
  it('defaults to /var/lib/loom-lab, loom- namespaces and port 36443', () => {
    const config = resolveLabConfig({}, {});
    expect(config.stateDir).toBe('/var/lib/loom-lab');
    expect(config.netns).toEqual({
      switch: 'loom-switch',
      controlPlane: 'loom-cp',
      router: 'loom-router',
      remoteSwitch: 'loom-switch2',
    });
    expect(config.hostApiPort).toBe(36443);
    expect(config.paths.hostKubeconfig).toBe('/var/lib/loom-lab/kubeconfig.host');
    expect(config.paths.sockets.apiServer).toBe('/var/lib/loom-lab/run/apiserver.sock');
  });

  it('takes the environment, and options over the environment', () => {
    const env = {
      LOOM_LAB_DIR: '/tmp/env-lab',
      LOOM_LAB_PREFIX: 'loom-env-',
      LOOM_LAB_API_PORT: '40000',
    };
    expect(resolveLabConfig({}, env)).toMatchObject({
      stateDir: '/tmp/env-lab',
      prefix: 'loom-env-',
      hostApiPort: 40000,
      netns: { controlPlane: 'loom-env-cp' },
    });
    expect(
      resolveLabConfig({ stateDir: '/tmp/opt', prefix: 'loom-o-', hostApiPort: 0 }, env),
    ).toMatchObject({
      stateDir: '/tmp/opt',
      prefix: 'loom-o-',
      hostApiPort: 0,
    });
  });

  it.each([
    { options: { prefix: 'lab-' }, error: /invalid lab prefix "lab-": it must start with "loom-"/ },
    { options: { prefix: 'loom-A' }, error: /invalid lab prefix "loom-A"/ },
    { options: { prefix: 'loom-../x' }, error: /invalid lab prefix/ },
    { options: { hostApiPort: 70000 }, error: /invalid API port "70000": not a TCP port/ },
    {
      options: { stateDir: `/tmp/${'x'.repeat(100)}` },
      error: /would exceed 107 bytes; choose a shorter path/,
    },
  ])('rejects $options', ({ options, error }) => {
    expect(() => resolveLabConfig(options, {})).toThrow(error);
  });

  it('rejects a bad LOOM_LAB_API_PORT', () => {
    expect(() => resolveLabConfig({}, { LOOM_LAB_API_PORT: 'http' })).toThrow(
      'invalid LOOM_LAB_API_PORT "http": not a TCP port',
    );
  });
});
