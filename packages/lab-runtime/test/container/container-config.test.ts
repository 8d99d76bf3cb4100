import { describe, expect, it } from 'vitest';
import { containerArgv, containerEnv, stopSignalOf } from '../../src/container/container-config.ts';
import { securityContextUser } from '../../src/container/container-user.ts';
import type { ContainerConfig } from '../../src/cri/cri-types.ts';
import { defaultImageMap } from '../../src/image/image-map.ts';
import { imageProcessOf } from '../../src/image/image-process.ts';

const [agnhost, busybox] = defaultImageMap({
  agnhost: '/bin/agnhost',
  busybox: '/usr/bin/busybox',
}).definitions;

function config(extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name: 'c', attempt: 0 },
    image: { image: 'x', annotations: {} },
    command: [],
    args: [],
    working_dir: '',
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    log_path: '',
    stdin: false,
    tty: false,
    linux: null,
    stop_signal: 'SIGNAL_RUNTIME_DEFAULT',
    ...extra,
  };
}

describe('containerArgv (Docker entrypoint/cmd rules, as containerd)', () => {
  it.each([
    { name: 'image defaults', command: [], args: [], argv: ['/agnhost', 'pause'] },
    { name: 'args replace cmd', command: [], args: ['netexec'], argv: ['/agnhost', 'netexec'] },
    { name: 'command replaces entrypoint and cmd', command: ['sh'], args: [], argv: ['sh'] },
    {
      name: 'command and args',
      command: ['sh', '-c'],
      args: ['echo hi'],
      argv: ['sh', '-c', 'echo hi'],
    },
  ])('$name', ({ command, args, argv }) => {
    expect(containerArgv(agnhost!, config({ command, args }))).toEqual(argv);
  });

  it('busybox runs sh by default', () => {
    expect(containerArgv(busybox!, config())).toEqual(['sh']);
  });
});

describe('containerEnv', () => {
  it('puts HOSTNAME and PATH first, lets the config override the image', () => {
    const env = containerEnv(
      'web',
      { ...agnhost!, env: ['PATH=/image/bin', 'MODE=image'] },
      config({
        envs: [
          { key: 'MODE', value: Buffer.from('pod') },
          { key: 'EXTRA', value: 'a=b' },
        ],
      }),
    );
    expect(env).toEqual(['HOSTNAME=web', 'PATH=/image/bin', 'MODE=pod', 'EXTRA=a=b']);
  });
});

describe('stop signal and user', () => {
  it.each([
    { configSignal: 'SIGNAL_RUNTIME_DEFAULT', image: undefined, signal: 'SIGTERM' },
    { configSignal: 'SIGNAL_SIGINT', image: 'SIGQUIT', signal: 'SIGINT' },
    { configSignal: 'SIGNAL_RUNTIME_DEFAULT', image: 'QUIT', signal: 'SIGQUIT' },
  ])('$configSignal with image $image → $signal', ({ configSignal, image, signal }) => {
    const definition = { ...busybox!, ...(image ? { stopSignal: image } : {}) };
    expect(stopSignalOf(definition, config({ stop_signal: configSignal }))).toBe(signal);
  });

  it('reads run_as_user and run_as_group', () => {
    const linux = {
      security_context: {
        namespace_options: null,
        run_as_user: { value: '1000' },
        run_as_group: { value: '2000' },
        run_as_username: '',
        readonly_rootfs: false,
        privileged: false,
      },
    };
    expect(securityContextUser(config({ linux }))).toEqual({
      runAsUser: 1000,
      runAsGroup: 2000,
      runAsUsername: '',
    });
    expect(securityContextUser(config())).toEqual({
      runAsUser: null,
      runAsGroup: null,
      runAsUsername: '',
    });
  });
});

describe('an archive image config applied as containerd does', () => {
  const image = imageProcessOf({
    user: 'app',
    env: ['PATH=/usr/local/bin:/bin', 'GREETING=from-image', 'OVERRIDDEN=by-image'],
    entrypoint: ['/bin/sh', '-c'],
    cmd: ['sleep 3600'],
    workingDir: '/work',
    stopSignal: '2',
  });

  it('runs Entrypoint + Cmd; args replace Cmd; a command replaces both', () => {
    expect(containerArgv(image, config())).toEqual(['/bin/sh', '-c', 'sleep 3600']);
    expect(containerArgv(image, config({ args: ['echo hi'] }))).toEqual([
      '/bin/sh',
      '-c',
      'echo hi',
    ]);
    expect(containerArgv(image, config({ command: ['/bin/true'] }))).toEqual(['/bin/true']);
  });

  it('merges Env by name, the container env winning', () => {
    const envs = [{ key: 'OVERRIDDEN', value: 'by-pod' }];
    expect(containerEnv('pod', image, config({ envs }))).toEqual([
      'HOSTNAME=pod',
      'PATH=/usr/local/bin:/bin',
      'GREETING=from-image',
      'OVERRIDDEN=by-pod',
    ]);
  });

  it('takes a numeric StopSignal', () => {
    expect(stopSignalOf(image, config())).toBe('SIGINT');
    expect(image.user).toBe('app');
    expect(image.workingDir).toBe('/work');
  });
});
