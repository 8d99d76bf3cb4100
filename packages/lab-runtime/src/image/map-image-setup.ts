import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import type { ImageDefinition } from './image-map.ts';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';

/** The files a map image needs of its own (/etc/passwd, /etc/group, busybox's /bin), once. */
export function prepareMapImage(dir: string, definition: ImageDefinition): void {
  if (existsSync(join(dir, '.prepared'))) return;
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileAtomicSync(join(dir, 'etc', 'passwd'), PASSWD);
  writeFileAtomicSync(join(dir, 'etc', 'group'), GROUP);
  if (definition.busybox !== undefined) prepareBusybox(join(dir, 'bin'), definition.busybox);
  writeFileAtomicSync(join(dir, '.prepared'), `${definition.name}\n`);
}

// Debian's busybox-static is built without pgrep, which the busybox image has (and critest
// uses): match /proc/<pid>/comm, or the command line with -f, against an extended regex.
const PGREP = `#!/bin/sh
full=
[ "$1" = -f ] && { full=1; shift; }
found=1
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  [ "$pid" = "$$" ] && continue
  read -r _ _ _ ppid _ <"$d/stat" 2>/dev/null || continue
  [ "$ppid" = "$$" ] && continue
  if [ -n "$full" ]; then
    name=$(tr '\\0' ' ' <"$d/cmdline" 2>/dev/null)
  else
    read -r name <"$d/comm" 2>/dev/null || continue
  fi
  if echo "$name" | grep -Eq -- "$1"; then
    echo "$pid"
    found=0
  fi
done
exit $found
`;

// The busybox image's /bin holds busybox and one link per applet; a copy plus relative
// symlinks gives the same, with one bind mount per container instead of hundreds.
function prepareBusybox(bin: string, busybox: string): void {
  const listed = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (listed.status !== 0)
    throw new Error(`cannot list the applets of ${busybox}: ${listed.stderr}`);
  mkdirSync(bin, { recursive: true });
  copyFileSync(busybox, join(bin, 'busybox'));
  const applets = listed.stdout.split('\n');
  for (const applet of applets) {
    if (applet === '' || applet === 'busybox' || applet.includes('/')) continue;
    if (!existsSync(join(bin, applet))) symlinkSync('busybox', join(bin, applet));
  }
  if (!applets.includes('pgrep')) writeFileSync(join(bin, 'pgrep'), PGREP, { mode: 0o755 });
}
