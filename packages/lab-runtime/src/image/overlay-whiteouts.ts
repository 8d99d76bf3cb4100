import { spawn } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * OCI whiteouts in overlayfs's own form, as containerd's overlay snapshotter writes them
 * (`archive.OverlayConvertWhiteout`): `<dir>/.wh.<name>` becomes a character device 0/0 named
 * `<dir>/<name>`, and `<dir>/.wh..wh..opq` the xattr `trusted.overlay.opaque=y` on `<dir>`.
 * Node has neither mknod nor setxattr, so both are written as a small tar (pax records carry
 * the xattr) that GNU tar extracts into the layer's tree after the layer itself.
 */

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
// Other `.wh..wh.*` names are AUFS bookkeeping (`.wh..wh.plnk`), never extracted.
const AUFS_META = '.wh..wh.';
const BLOCK = 512;

export class WhiteoutError extends Error {}

export interface OverlayWhiteouts {
  /** Paths (in the layer) that overlay must show as deleted. */
  removed: string[];
  /** Directories (in the layer) that hide everything below them in lower layers. */
  opaque: string[];
}

/** Reads the whiteout markers out of a layer's entry names. */
export function whiteoutsOf(names: Iterable<string>): OverlayWhiteouts {
  const removed: string[] = [];
  const opaque: string[] = [];
  for (const name of names) {
    const base = posix.basename(name);
    const dir = posix.dirname(name);
    if (base === OPAQUE) opaque.push(dir === '.' ? '' : dir);
    else if (base.startsWith(AUFS_META)) continue;
    else if (base.startsWith(WHITEOUT)) {
      removed.push(posix.join(dir, base.slice(WHITEOUT.length)));
    }
  }
  return { removed, opaque };
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  // The length counts its own digits.
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

interface Member {
  name: string;
  type: 'char' | 'dir';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  xattrs: Record<string, string>;
}

function header(name: string, type: string, size: number, member: Member): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name.slice(0, 99), 0, 'utf8');
  block.write(octal(member.mode & 0o7777, 8), 100);
  block.write(octal(member.uid, 8), 108);
  block.write(octal(member.gid, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(Math.floor(member.mtime), 12), 136);
  block.write(type, 156);
  block.write('ustar\0' + '00', 257);
  block.write(octal(0, 8), 329);
  block.write(octal(0, 8), 337);
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

// Every member gets a pax header: names of any length, and the xattrs.
function tarOf(members: readonly Member[]): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const records = [
      paxRecord('path', member.name),
      ...Object.entries(member.xattrs).map(([k, v]) => paxRecord(`SCHILY.xattr.${k}`, v)),
    ];
    const pax = Buffer.from(records.join(''), 'utf8');
    parts.push(header('PaxHeader', 'x', pax.length, member), padded(pax));
    parts.push(header(member.name, member.type === 'char' ? '3' : '5', 0, member));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * Every parent of a whiteout must be a real directory of this layer: GNU tar follows a
 * symlink it finds on disk, so a layer with `d -> /etc` and `d/.wh.passwd` would otherwise
 * put the device in the host's /etc.
 */
function checkParents(tree: string, path: string, digest: string): void {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const stats = lstatSync(join(tree, ...parts.slice(0, i)), { throwIfNoEntry: false });
    if (stats !== undefined && !stats.isDirectory()) {
      throw new WhiteoutError(
        `layer ${digest} has a whiteout below "${parts.slice(0, i).join('/')}", which is not a directory of the layer`,
      );
    }
  }
}

function membersOf(tree: string, whiteouts: OverlayWhiteouts, digest: string): Member[] {
  const members: Member[] = [];
  for (const dir of whiteouts.opaque) {
    checkParents(tree, dir, digest);
    // The directory's attributes are kept as the layer set them (a layer may carry only the
    // marker: tar then makes the directory as it makes any missing parent).
    const stats = lstatSync(join(tree, dir), { throwIfNoEntry: false });
    members.push({
      name: dir === '' ? '.' : dir,
      type: 'dir',
      mode: stats?.mode ?? 0o755,
      uid: stats?.uid ?? 0,
      gid: stats?.gid ?? 0,
      mtime: (stats?.mtimeMs ?? 0) / 1000,
      xattrs: { 'trusted.overlay.opaque': 'y' },
    });
  }
  for (const path of whiteouts.removed) {
    checkParents(tree, posix.dirname(path), digest);
    members.push({ name: path, type: 'char', mode: 0, uid: 0, gid: 0, mtime: 0, xattrs: {} });
  }
  return members;
}

/** Writes the layer's whiteouts into its unpacked tree in overlayfs's form. */
export async function writeOverlayWhiteouts(
  tree: string,
  whiteouts: OverlayWhiteouts,
  digest: string,
): Promise<void> {
  if (whiteouts.removed.length === 0 && whiteouts.opaque.length === 0) return;
  const tar = tarOf(membersOf(tree, whiteouts, digest));
  const args = ['-x', '-f', '-', '-C', tree, '--numeric-owner', '-p', '--same-owner'];
  args.push('--xattrs', '--xattrs-include=trusted.overlay.opaque');
  const child = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.on('error', () => {});
    child.stdin.end(tar);
  });
  // tar only warns (exit 0) when an xattr cannot be set: that is an error here.
  if (code !== 0 || stderr.trim() !== '') {
    throw new WhiteoutError(
      `cannot write the whiteouts of layer ${digest} in overlayfs form: tar: ${stderr.trim() || `exit ${code}`}`,
    );
  }
}
