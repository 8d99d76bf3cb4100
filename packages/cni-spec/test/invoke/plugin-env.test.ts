import { describe, expect, it } from 'vitest';
import { delegateEnvironment, pluginEnvironment } from '../../src/invoke/plugin-env.ts';

describe('pluginEnvironment (pkg/invoke Args.AsEnv)', () => {
  it('sets every CNI_ variable over the base environment', () => {
    const env = pluginEnvironment(
      {
        command: 'ADD',
        containerId: 'c1',
        netns: '/var/run/netns/p',
        ifName: 'eth0',
        args: [
          ['IgnoreUnknown', '1'],
          ['K8S_POD_NAME', 'web'],
        ],
        path: ['/opt/cni/bin', '/usr/lib/cni'],
      },
      { PATH: '/usr/bin', CNI_NETNS: 'stale' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'c1',
      CNI_NETNS: '/var/run/netns/p',
      CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/opt/cni/bin:/usr/lib/cni',
    });
  });

  it('leaves the attachment empty for GC and STATUS', () => {
    expect(pluginEnvironment({ command: 'GC', path: ['/opt/cni/bin'] }, {})).toMatchObject({
      CNI_CONTAINERID: '',
      CNI_NETNS: '',
      CNI_IFNAME: '',
      CNI_ARGS: '',
    });
  });

  it('gives a delegate the caller environment with only the command replaced', () => {
    const base = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_PATH: '/opt/cni/bin' };
    expect(delegateEnvironment('DEL', base)).toEqual({ ...base, CNI_COMMAND: 'DEL' });
  });
});
