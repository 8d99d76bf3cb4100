import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pluginInterpreterLine } from '../src/host-cni-install.ts';
import { hostCniFiles, installHostCni } from '../src/index.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/cni-install-main.ts', import.meta.url));
/** The pinned Node 24 (the image ships this binary as /usr/local/bin/node). */
const PINNED_NODE = fileURLToPath(new URL('../../../node_modules/node/bin/node', import.meta.url));

let dir: string;
let image: { node: string; bundleDir: string };
let hostBinDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loom-cni-install-'));
  // The image's layout, in small: a "node" and two bundles with the image's `#!` line.
  image = { node: join(dir, 'image', 'node'), bundleDir: join(dir, 'image', 'opt-loom-bin') };
  await mkdir(image.bundleDir, { recursive: true });
  await writeFile(image.node, '\x7fELF pretend node');
  for (const name of ['loom-cni', 'loom-ipam']) {
    await writeFile(join(image.bundleDir, name), `#!/usr/local/bin/node\n// ${name} bundle\n`);
  }
  hostBinDir = join(dir, 'host', 'opt', 'cni', 'bin');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

describe('hostCniFiles', () => {
  it('installs node first, then each bundle pointed at the host path of loom-node', () => {
    expect(
      hostCniFiles({
        hostBinDir: '/host/opt/cni/bin',
        cniBinDir: '/opt/cni/bin',
        node: '/usr/local/bin/node',
        bundleDir: '/opt/loom/bin',
      }),
    ).toEqual([
      { source: '/usr/local/bin/node', target: '/host/opt/cni/bin/loom-node', mode: 0o755 },
      {
        source: '/opt/loom/bin/loom-cni',
        target: '/host/opt/cni/bin/loom-cni',
        mode: 0o755,
        firstLine: '#!/opt/cni/bin/loom-node --no-rehash-snapshot',
      },
      {
        source: '/opt/loom/bin/loom-ipam',
        target: '/host/opt/cni/bin/loom-ipam',
        mode: 0o755,
        firstLine: '#!/opt/cni/bin/loom-node --no-rehash-snapshot',
      },
    ]);
  });
});

describe("the plugins' first line", () => {
  it('names loom-node with the start-up flag of the single executables', () => {
    expect(pluginInterpreterLine('/opt/cni/bin')).toBe(
      '#!/opt/cni/bin/loom-node --no-rehash-snapshot',
    );
  });

  it('is refused when Linux would cut it short, naming the flag to change', () => {
    const deep = `/${'d'.repeat(240)}`;
    const line = `#!${deep}/loom-node --no-rehash-snapshot`;
    expect(line.length).toBe(274);
    expect(() => hostCniFiles({ ...image, hostBinDir, cniBinDir: deep })).toThrow(
      `cannot install the CNI plugins: their first line "${line}" is 274 bytes, and Linux reads only 255 (choose a shorter --cni-bin-dir)`,
    );
  });

  it('starts the installed plugin on the installed Node, with the flag', async () => {
    // A CommonJS plugin in the bundles' shape, answering VERSION with what Node was given.
    await writeFile(
      join(image.bundleDir, 'loom-cni'),
      [
        '#!/usr/local/bin/node',
        "const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));",
        'process.stdout.write(JSON.stringify({ cniVersion: input.cniVersion, supportedVersions: ["1.1.0"], command: process.env.CNI_COMMAND, execArgv: process.execArgv }));',
        '',
      ].join('\n'),
    );
    // cniBinDir = hostBinDir: here the host's path and the mounted one are the same.
    await installHostCni({
      node: PINNED_NODE,
      bundleDir: image.bundleDir,
      hostBinDir,
      cniBinDir: hostBinDir,
    });
    const plugin = spawnSync(join(hostBinDir, 'loom-cni'), [], {
      env: { CNI_COMMAND: 'VERSION' },
      input: '{"cniVersion":"1.1.0"}',
      encoding: 'utf8',
    });
    expect(plugin.status, plugin.stderr).toBe(0);
    expect(JSON.parse(plugin.stdout)).toEqual({
      cniVersion: '1.1.0',
      supportedVersions: ['1.1.0'],
      command: 'VERSION',
      execArgv: ['--no-rehash-snapshot'],
    });
  });
});

describe('installHostCni on real files', () => {
  it('copies node verbatim and rewrites the bundles, then skips them all', async () => {
    const options = { ...image, hostBinDir, cniBinDir: '/opt/cni/bin' };
    const first = await installHostCni(options);
    expect(first.map((o) => [o.target, o.action])).toEqual([
      [join(hostBinDir, 'loom-node'), 'copied'],
      [join(hostBinDir, 'loom-cni'), 'copied'],
      [join(hostBinDir, 'loom-ipam'), 'copied'],
    ]);
    expect(await readFile(join(hostBinDir, 'loom-node'), 'utf8')).toBe('\x7fELF pretend node');
    expect(await readFile(join(hostBinDir, 'loom-cni'), 'utf8')).toBe(
      '#!/opt/cni/bin/loom-node --no-rehash-snapshot\n// loom-cni bundle\n',
    );
    for (const name of ['loom-node', 'loom-cni', 'loom-ipam']) {
      expect((await stat(join(hostBinDir, name))).mode & 0o7777).toBe(0o755);
    }
    const second = await installHostCni(options);
    expect(second.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const installed = '#!/opt/cni/bin/loom-node --no-rehash-snapshot\n// loom-cni bundle\n';
    expect(second[1]?.digest).toEqual({ size: installed.length, sha256: sha256(installed) });
  });

  it('leaves other plugins in the bin dir alone', async () => {
    await mkdir(hostBinDir, { recursive: true });
    await writeFile(join(hostBinDir, 'portmap'), 'reference plugin');
    await installHostCni({ ...image, hostBinDir, cniBinDir: '/opt/cni/bin' });
    expect((await readdir(hostBinDir)).sort()).toEqual([
      'loom-cni',
      'loom-ipam',
      'loom-node',
      'portmap',
    ]);
    expect(await readFile(join(hostBinDir, 'portmap'), 'utf8')).toBe('reference plugin');
  });
});

describe('loom-cni-install, the executable', () => {
  async function main(args: string[]) {
    return run(process.execPath, ['--conditions=loom-source', MAIN, ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }
  const flags = () => [
    `--host-bin-dir=${hostBinDir}`,
    '--cni-bin-dir=/opt/cni/bin',
    `--node=${image.node}`,
    `--bundle-dir=${image.bundleDir}`,
  ];

  it('logs each file it installed, then that nothing changed', async () => {
    const first = await main(flags());
    expect(first.code).toBe(0);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.msg, l.file, l.action])).toEqual([
      ['installed', join(hostBinDir, 'loom-node'), 'copied'],
      ['installed', join(hostBinDir, 'loom-cni'), 'copied'],
      ['installed', join(hostBinDir, 'loom-ipam'), 'copied'],
      ['CNI executables installed', undefined, undefined],
    ]);
    expect(lines[3]).toMatchObject({ copied: 3, unchanged: 0, component: 'cni-install' });
    const second = await main(flags());
    expect(second.stdout).toContain('"copied":0,"unchanged":3');
  });

  it('exits 1 naming a missing bundle', async () => {
    await rm(join(image.bundleDir, 'loom-ipam'));
    const result = await main(flags());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `loom-cni-install: cannot install ${join(hostBinDir, 'loom-ipam')}: ${join(image.bundleDir, 'loom-ipam')} does not exist\n`,
    );
  });

  it('exits 1 naming a bin dir it cannot write', async () => {
    await mkdir(join(dir, 'host'), { recursive: true });
    await writeFile(join(dir, 'host', 'opt'), 'a file where a directory should be');
    const result = await main(flags());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^loom-cni-install: cannot install ${join(hostBinDir, 'loom-node')}: .*ENOTDIR`),
    );
  });

  it('exits 2 on a relative path, naming the flag and its variable', async () => {
    const result = await main(['--cni-bin-dir=opt/cni/bin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--cni-bin-dir (or LOOM_CNI_BIN_DIR): "opt/cni/bin" is not an absolute path',
    );
  });

  it('keeps the source bundle executable bits out of it: mode is always 755', async () => {
    await chmod(join(image.bundleDir, 'loom-cni'), 0o700);
    expect((await main(flags())).code).toBe(0);
    expect((await stat(join(hostBinDir, 'loom-cni'))).mode & 0o7777).toBe(0o755);
  });
});
