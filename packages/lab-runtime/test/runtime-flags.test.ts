import { describe, expect, it } from 'vitest';
import { parseRuntimeArgs } from '../src/runtime-flags.ts';

const required = ['--socket', '/run/loom/cri.sock', '--state-dir', '/var/lib/loom-runtime'];

describe('parseRuntimeArgs', () => {
  it('fills the containerd defaults', () => {
    const { command, options } = parseRuntimeArgs(required, { LOOM_K8S_BIN_DIR: '/k8s/bin' });
    expect(command).toBe('serve');
    expect(options).toMatchObject({
      socket: '/run/loom/cri.sock',
      cniConfDir: '/etc/cni/net.d',
      cniBinDirs: ['/opt/cni/bin'],
      cniCacheDir: '/var/lib/cni',
      netnsPrefix: 'loom-pod-',
      criProto: '/k8s/bin/cri-api.proto',
    });
  });

  it('takes repeated and colon-separated bin dirs and the remove-all-pods command', () => {
    const argv = ['remove-all-pods', ...required, '--cni-bin-dir', '/a:/b', '--cni-bin-dir', '/c'];
    const { command, options } = parseRuntimeArgs(argv, {});
    expect(command).toBe('remove-all-pods');
    expect(options.cniBinDirs).toEqual(['/a', '/b', '/c']);
  });

  it('takes repeated --image-archive flags as absolute paths', () => {
    const argv = [...required, '--image-archive', 'dist/a.tar', '--image-archive', '/b.tar'];
    const { options } = parseRuntimeArgs(argv, {});
    expect(options.imageArchives).toEqual([`${process.cwd()}/dist/a.tar`, '/b.tar']);
    expect(parseRuntimeArgs(required, {}).options.imageArchives).toEqual([]);
    const shared = parseRuntimeArgs([...required, '--image-store', 'store'], {}).options;
    expect(shared.imageStore).toBe(`${process.cwd()}/store`);
  });

  it.each([
    { argv: ['--socket', '/s'], why: /--state-dir is required/ },
    { argv: [...required, '--bogus'], why: /Unknown option '--bogus'/ },
    { argv: [...required, 'dance'], why: /unknown command "dance"/ },
    { argv: [...required, '--netns-prefix', 'pod-'], why: /must start with "loom-"/ },
    { argv: [...required, '--health-port', '70000'], why: /--health-port must be a port number/ },
  ])('rejects $argv', ({ argv, why }) => {
    expect(() => parseRuntimeArgs(argv, {})).toThrow(why);
  });
});
