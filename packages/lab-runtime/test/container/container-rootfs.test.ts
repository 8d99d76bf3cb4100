import { describe, expect, it } from 'vitest';
import type { ContainerMount, RootfsStep } from '../../src/container/container-rootfs.ts';
import { planRootfs } from '../../src/container/container-rootfs.ts';
import { renderSetupScript, shellQuote } from '../../src/container/container-script.ts';
import { hostPathOf, lookupExecutable } from '../../src/container/executable-lookup.ts';
import { defaultImageMap } from '../../src/image/image-map.ts';

const [agnhost, busybox] = defaultImageMap({
  agnhost: '/usr/bin/env',
  busybox: '/usr/bin/busybox',
}).definitions;
const files = {
  '/etc/hostname': '/sb/hostname',
  '/etc/resolv.conf': '/sb/resolv.conf',
  '/etc/hosts': '/sb/hosts',
};

function plan(mounts: ContainerMount[] = [], definition = agnhost!): RootfsStep[] {
  return planRootfs({
    image: { kind: 'map', definition, dir: '/state/images/abc' },
    sandboxFiles: files,
    mounts,
    workingDir: '/work',
    privileged: false,
    isFile: (path) => !['/usr', '/var/lib/kubelet/pods/p/volumes/token'].includes(path),
  });
}

const binds = (steps: RootfsStep[]) =>
  steps
    .filter((s) => s.kind === 'bind')
    .map((s) => (s.kind === 'bind' ? `${s.path}<-${s.source}` : ''));

describe('planRootfs', () => {
  it('places the image files where the real image has them', () => {
    const steps = plan();
    expect(binds(steps)).toEqual(
      expect.arrayContaining([
        '/agnhost<-/usr/bin/env',
        '/usr<-/usr',
        '/etc/resolv.conf<-/sb/resolv.conf',
      ]),
    );
    expect(steps).toContainEqual({ kind: 'symlink', path: '/bin', target: 'usr/bin' });
    expect(steps.at(-1)).toEqual({ kind: 'dir', path: '/work', mode: '0755' });
  });

  it('gives busybox images a /bin of applets', () => {
    expect(binds(plan([], busybox!))).toContain('/bin<-/state/images/abc/bin');
  });

  it("lets the kubelet's /etc/hosts win and mounts parents before children", () => {
    const steps = plan([
      {
        containerPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        hostPath: '/var/lib/kubelet/pods/p/volumes/token',
        readonly: true,
        file: false,
      },
      {
        containerPath: '/var/run',
        hostPath: '/var/lib/kubelet/pods/p/run',
        readonly: false,
        file: false,
      },
      {
        containerPath: '/etc/hosts',
        hostPath: '/var/lib/kubelet/pods/p/etc-hosts',
        readonly: false,
        file: true,
      },
    ]);
    const list = binds(steps);
    expect(list).not.toContain('/etc/hosts<-/sb/hosts');
    expect(list.indexOf('/var/run<-/var/lib/kubelet/pods/p/run')).toBeLessThan(
      list.indexOf(
        '/var/run/secrets/kubernetes.io/serviceaccount<-/var/lib/kubelet/pods/p/volumes/token',
      ),
    );
  });
});

describe('lookupExecutable (execvp inside the planned root)', () => {
  it('follows the root symlinks and binds to the host file', () => {
    expect(hostPathOf(plan(), '/bin/sh')).toBe('/usr/bin/sh');
    expect(hostPathOf(plan(), '/agnhost')).toBe('/usr/bin/env');
    expect(hostPathOf(plan(), '/tmp/x')).toBeUndefined();
  });

  it.each([
    { name: '/agnhost', found: '/agnhost' },
    { name: 'sh', found: '/usr/bin/sh' },
  ])('finds $name', ({ name, found }) => {
    expect(lookupExecutable(plan(), name, ['PATH=/usr/local/bin:/usr/bin:/bin'])).toEqual({
      ok: true,
      path: found,
    });
  });

  it.each([
    { name: 'no-such-tool', message: 'exec: "no-such-tool": executable file not found in $PATH' },
    { name: '/nope', message: 'exec: "/nope": stat /nope: no such file or directory' },
  ])('explains a missing $name as runc would', ({ name, message }) => {
    expect(lookupExecutable(plan(), name, [])).toEqual({ ok: false, message });
  });
});

describe('renderSetupScript', () => {
  it('quotes everything and execs the command with exactly the container env', () => {
    const script = renderSetupScript({
      containerId: 'c1',
      dir: '/state/c1',
      rootfs: '/state/c1/rootfs',
      root: { kind: 'tmpfs' },
      steps: [{ kind: 'bind', path: "/it's", source: '/src', file: true, readonly: true }],
      hostname: 'web',
      env: ['A=x y'],
      argv: ['sh', '-c', "echo 'hi'"],
      workingDir: '/',
      user: { uid: 1000, gid: 1000 },
      readonlyRootfs: false,
    });
    expect(script).toContain(`mount --rbind '/src' "$R"'/it'\\''s'`);
    expect(script).toContain(`mount -o remount,bind,ro "$R"'/it'\\''s'`);
    expect(script).toContain(`printf '%s' 'web' >/proc/sys/kernel/hostname`);
    expect(script.trimEnd().split('\n').at(-1)).toBe(
      `exec '/usr/bin/env' '-i' '--default-signal=INT,QUIT' '--' 'A=x y' '/usr/bin/unshare' '--wd=/' ` +
        `'--setgid=1000' '--setuid=1000' --root="$R" -- 'sh' '-c' ${shellQuote("echo 'hi'")}`,
    );
  });

  const overlayScript = (layers: number, upper = '/state/c1/upper') =>
    renderSetupScript({
      containerId: 'c1',
      dir: '/state/c1',
      rootfs: '/state/c1/rootfs',
      root: { kind: 'overlay', links: '/state/c1/lower', layers, upper, work: '/state/c1/work' },
      steps: [],
      hostname: 'web',
      env: [],
      argv: ['sh'],
      workingDir: '/',
      user: null,
      readonlyRootfs: true,
    });

  it('mounts the layers through short links, top first, from inside the links directory', () => {
    const lines = overlayScript(3).split('\n');
    const at = lines.indexOf(`cd '/state/c1/lower'`);
    expect(lines.slice(at, at + 3)).toEqual([
      `cd '/state/c1/lower'`,
      `mount -t overlay -o 'lowerdir=0:1:2,upperdir=/state/c1/upper,workdir=/state/c1/work' loom-rootfs "$R"`,
      'cd /',
    ]);
    expect(lines).toContain('mount -o remount,ro "$R"');
  });

  it("refuses an overlay option the kernel's new mount API would refuse (over 255 bytes)", () => {
    expect(() => overlayScript(80)).not.toThrow();
    expect(() => overlayScript(200)).toThrow(
      /the overlay option lowerdir is 689 bytes, over the 255 the kernel takes \(200 layers\)/,
    );
    expect(() => overlayScript(1, `/${'u'.repeat(300)}`)).toThrow(/option upperdir is 301 bytes/);
  });
});
