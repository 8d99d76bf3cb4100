import { describe, expect, it } from 'vitest';
import { parseImageMap } from '../../src/runtime/image-map-file.ts';
import { parseRuntimeArgs } from '../../src/runtime/runtime-flags.ts';

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

describe('parseImageMap', () => {
  it('normalizes repositories and defaults the working dir', () => {
    const map = parseImageMap(
      JSON.stringify({
        images: [{ name: 'loom', repositories: ['loom-net/loom'], entrypoint: ['/loom'] }],
      }),
      'map.json',
    );
    expect(map.definitions[0]).toMatchObject({
      repositories: ['docker.io/loom-net/loom'],
      workingDir: '/',
      binds: [],
    });
  });

  it.each([
    { text: '[]', why: /must be \{"images": \[\.\.\.\]\}/ },
    {
      text: '{"images":[{"name":"x","repositories":[]}]}',
      why: /images\[0\]\.repositories must name at least one/,
    },
    {
      text: '{"images":[{"name":"x","repositories":["a"],"binds":[{"path":"rel","source":"/s"}]}]}',
      why: /binds\[0\]\.path must be an absolute path/,
    },
    {
      text: '{"images":[{"name":"x","repositories":["a"],"env":["NOVALUE"]}]}',
      why: /"NOVALUE" is not NAME=value/,
    },
  ])('rejects $text', ({ text, why }) => {
    expect(() => parseImageMap(text, 'map.json')).toThrow(why);
  });
});
