import {
  chmodSync,
  copyFileSync,
  existsSync,
  lchownSync,
  mkdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { TestImage } from './oci-test-archive.ts';

export const TEST_IMAGE_NAME = 'registry.example.org/loom-test/two-layer:1.0';
const BUSYBOX = '/usr/bin/busybox';
export const HAS_BUSYBOX = existsSync(BUSYBOX);

function write(dir: string, path: string, text: string, mode = 0o644): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
  chmodSync(join(dir, path), mode);
}

/**
 * The base layer: a busybox shell (when the host has busybox-static), users, files to delete
 * and to hide, a symlink, a mode and an owner to keep.
 */
function baseLayer(dir: string): void {
  write(
    dir,
    'etc/passwd',
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n',
  );
  write(dir, 'etc/group', 'root:x:0:\napp:x:1001:\nstaff:x:50:app\n');
  write(dir, 'data/keep.txt', 'kept\n');
  write(dir, 'data/gone.txt', 'whited out\n');
  write(dir, 'data/gone-dir/inside.txt', 'whited out with its directory\n');
  write(dir, 'opaque/old.txt', 'hidden by the opaque marker\n');
  write(dir, 'usr/local/bin/tool', '#!/bin/sh\necho tool\n', 0o750);
  write(dir, 'home/app/owned.txt', 'owned by app\n', 0o600);
  if (process.getuid?.() === 0) lchownSync(join(dir, 'home/app/owned.txt'), 1000, 1001);
  symlinkSync('data/keep.txt', join(dir, 'link'));
  // Debian's /var/run: kubelet mounts below it must land in the image's /run.
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'var'));
  symlinkSync('/run', join(dir, 'var/run'));
  mkdirSync(join(dir, 'home/app/writable'));
  if (process.getuid?.() === 0) lchownSync(join(dir, 'home/app/writable'), 1000, 1001);
  mkdirSync(join(dir, 'bin'));
  if (HAS_BUSYBOX) {
    copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
    chmodSync(join(dir, 'bin/busybox'), 0o755);
    for (const applet of [
      'sh',
      'cat',
      'ls',
      'id',
      'pwd',
      'env',
      'echo',
      'sleep',
      'stat',
      'touch',
    ]) {
      symlinkSync('busybox', join(dir, 'bin', applet));
    }
  }
}

/** The top layer: a whiteout, an opaque directory with a new file, an added file. */
function topLayer(dir: string): void {
  write(dir, 'data/.wh.gone.txt', '');
  write(dir, 'data/.wh.gone-dir', '');
  write(dir, 'data/added.txt', 'added by the top layer\n');
  write(dir, 'opaque/.wh..wh..opq', '');
  write(dir, 'opaque/new.txt', 'the only file of opaque/\n');
}

export function twoLayerImage(extra: Partial<TestImage> = {}): TestImage {
  return {
    name: TEST_IMAGE_NAME,
    layers: [{ build: baseLayer }, { build: topLayer }],
    config: {
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['sleep 3600'],
      Env: ['PATH=/usr/local/bin:/bin', 'GREETING=from-image', 'OVERRIDDEN=by-image'],
      WorkingDir: '/work',
      User: 'app',
      StopSignal: 'SIGINT',
    },
    ...extra,
  };
}
