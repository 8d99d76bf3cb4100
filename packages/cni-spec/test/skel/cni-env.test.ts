import { describe, expect, it } from 'vitest';
import { parseCniEnvironment } from '../../src/skel/cni-env.ts';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';

const attachment = {
  CNI_CONTAINERID: 'abc123',
  CNI_NETNS: '/var/run/netns/pod',
  CNI_IFNAME: 'eth0',
};

function failure(env: Record<string, string | undefined>): CniError {
  try {
    parseCniEnvironment(env);
  } catch (error) {
    return error as CniError;
  }
  throw new Error('expected parseCniEnvironment to fail');
}

describe('parseCniEnvironment', () => {
  it('reads an ADD', () => {
    const env = parseCniEnvironment({
      CNI_COMMAND: 'ADD',
      ...attachment,
      CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web-0',
      CNI_PATH: '/opt/cni/bin::/usr/lib/cni',
    });
    expect(env).toMatchObject({
      command: 'ADD',
      containerId: 'abc123',
      netns: '/var/run/netns/pod',
      ifname: 'eth0',
    });
    expect(env.path).toEqual(['/opt/cni/bin', '/usr/lib/cni']);
    expect(env.args.get('K8S_POD_NAME')).toBe('web-0');
  });

  it.each([
    { name: 'no command', env: {}, says: 'CNI_COMMAND is not set' },
    {
      name: 'unknown command',
      env: { CNI_COMMAND: 'ATTACH' },
      says: 'CNI_COMMAND "ATTACH" is unknown',
    },
    { name: 'lower-case command', env: { CNI_COMMAND: 'add', ...attachment }, says: 'is unknown' },
    {
      name: 'ADD without netns',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_NETNS: '' },
      says: 'ADD needs CNI_NETNS',
    },
    {
      name: 'CHECK without ifname',
      env: { CNI_COMMAND: 'CHECK', ...attachment, CNI_IFNAME: undefined },
      says: 'CHECK needs CNI_IFNAME',
    },
    {
      name: 'DEL without container id',
      env: { CNI_COMMAND: 'DEL', CNI_IFNAME: 'eth0' },
      says: 'DEL needs CNI_CONTAINERID',
    },
    {
      name: 'container id with a slash',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_CONTAINERID: 'a/b' },
      says: 'CNI_CONTAINERID "a/b" is invalid',
    },
    {
      name: 'container id starting with a dash',
      env: { CNI_COMMAND: 'DEL', ...attachment, CNI_CONTAINERID: '-x' },
      says: 'is invalid',
    },
    {
      name: 'ifname too long',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_IFNAME: 'a234567890123456' },
      says: 'longer than 15 bytes',
    },
    {
      name: 'ifname ..',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_IFNAME: '..' },
      says: 'is reserved',
    },
    {
      name: 'ifname with a colon',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_IFNAME: 'eth0:1' },
      says: "contains '/', ':'",
    },
    {
      name: 'relative netns',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_NETNS: 'pod' },
      says: 'must be an absolute path',
    },
    {
      name: 'bad CNI_ARGS',
      env: { CNI_COMMAND: 'ADD', ...attachment, CNI_ARGS: 'K8S_POD_NAME' },
      says: 'CNI_ARGS pair "K8S_POD_NAME"',
    },
  ])('refuses $name with code 4', ({ env, says }) => {
    const error = failure(env);
    expect(error.code).toBe(CNI_ERROR.invalidEnvironment);
    expect(error.message).toContain(says);
  });

  it.each(['VERSION', 'GC', 'STATUS'])('%s needs no attachment', (command) => {
    expect(parseCniEnvironment({ CNI_COMMAND: command }).command).toBe(command);
  });

  it('lets DEL go without a netns', () => {
    expect(
      parseCniEnvironment({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c', CNI_IFNAME: 'eth0' }).netns,
    ).toBeUndefined();
  });
});
