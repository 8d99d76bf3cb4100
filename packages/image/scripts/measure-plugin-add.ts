// ADD and DEL of loom-cni in its two shipping forms (docs/image.md): the single executable
// `npm run build -w @loom-net/cni` makes (trained V8 code cache inside), and the image's bundle
// run by a shared copy of the image's Node, with and without `--no-rehash-snapshot` on its
// first line. Each form has its own throwaway host namespace (loom-imgadd-…) and a fresh pod
// namespace per round; the forms alternate round by round. Needs root,
// dist/image/loom.oci.tar (npm run image) and packages/cni/dist/loom-cni (npm run build).
// Run: node --conditions=loom-source packages/image/scripts/measure-plugin-add.ts [rounds]
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { addNetns, createCommandRunner, deleteNetns } from '@loom-net/core/kernel';
import { openBlob, readOciArchive } from '../src/oci/archive-reader.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const rounds = Number(process.argv[2] ?? 100);
const warmup = 5;
const runner = createCommandRunner();
const tag = randomBytes(3).toString('hex');
const scratch = mkdtempSync(join(tmpdir(), 'loom-plugin-add-'));
const namespaces: string[] = [];
const print = (line: string) => process.stdout.write(`${line}\n`);

interface Form {
  name: string;
  bin: string;
  host: string;
  config: Record<string, unknown>;
  add: number[];
  del: number[];
}

async function newNetns(role: string): Promise<string> {
  const name = `loom-imgadd-${role}-${tag}-${namespaces.length}`;
  namespaces.push(name);
  await addNetns(runner, name);
  return name;
}

/** The image's loom-cni bundle and Node, installed as loom-cni-install installs them. */
async function installedBundle(): Promise<{ node: string; bundle: string }> {
  const archive = join(repoRoot, 'dist', 'image', 'loom.oci.tar');
  const image = await readOciArchive(archive);
  const layer = join(scratch, 'loom-layer.tar.gz');
  await pipeline(openBlob(archive, image.layers.at(-1)!), createWriteStream(layer));
  const unpacked = join(scratch, 'layer');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', layer, '-C', unpacked]);
  if (tar.status !== 0) throw new Error(`cannot unpack the Loom layer: ${tar.stderr}`);
  const node = join(scratch, 'loom-node');
  copyFileSync(join(unpacked, 'usr/local/bin/node'), node);
  const bundle = readFileSync(join(unpacked, 'opt/loom/bin/loom-cni'), 'utf8');
  return { node, bundle: bundle.replace(/^#![^\n]*\n/, '') };
}

function installed(name: string, firstLine: string, code: string): string {
  mkdirSync(join(scratch, name));
  const file = join(scratch, name, 'loom-cni');
  writeFileSync(file, `${firstLine}\n${code}`);
  chmodSync(file, 0o755);
  return file;
}

async function form(name: string, bin: string, index: number): Promise<Form> {
  const config = {
    cniVersion: '1.0.0',
    name: `imgadd-${index}`,
    type: 'loom-cni',
    bridge: `loomb${index}`,
    isGateway: true,
    isDefaultGateway: true,
    hairpinMode: true,
    ipam: {
      type: 'loom-ipam',
      dataDir: join(scratch, `ipam-${index}`),
      ranges: [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]],
    },
  };
  return { name, bin, host: await newNetns(`h${index}`), config, add: [], del: [] };
}

function invoke(subject: Form, command: string, pod: string, cid: string): Promise<number> {
  const env = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: cid,
    CNI_NETNS: `/var/run/netns/${pod}`,
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/usr/lib/cni',
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  };
  const started = performance.now();
  const child: ChildProcess = spawn(
    'nsenter',
    [`--net=/var/run/netns/${subject.host}`, subject.bin],
    { env },
  );
  const out: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stdin!.on('error', () => {});
  child.stdin!.end(JSON.stringify(subject.config));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${subject.name} ${command} failed (${code}): ${Buffer.concat(out)}`));
    });
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (it creates network namespaces)');
  const { node, bundle } = await installedBundle();
  const forms = [
    await form('SEA per plugin (today)', join(repoRoot, 'packages/cni/dist/loom-cni'), 0),
    await form('shared node + CJS bundle', installed('plain', `#!${node}`, bundle), 1),
    await form(
      '  + --no-rehash-snapshot',
      installed('flag', `#!${node} --no-rehash-snapshot`, bundle),
      2,
    ),
  ];
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? forms : [...forms].reverse();
    for (const subject of order) {
      const pod = await newNetns('pod');
      const cid = `imgadd-${round}`;
      const add = await invoke(subject, 'ADD', pod, cid);
      const del = await invoke(subject, 'DEL', pod, cid);
      if (round >= warmup) {
        subject.add.push(add);
        subject.del.push(del);
      }
      await deleteNetns(runner, pod);
      namespaces.splice(namespaces.indexOf(pod), 1);
    }
  }
  const at = (samples: number[], q: number) =>
    [...samples]
      .sort((a, b) => a - b)
      [Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  print(`ADD and DEL, ${rounds} rounds after ${warmup} warm-up, alternating (ms):`);
  print(
    `${'form'.padEnd(30)}${['ADD p50', 'ADD p90', 'ADD min', 'DEL p50'].map((h) => h.padStart(9)).join('')}`,
  );
  for (const f of forms)
    print(
      `${f.name.padEnd(30)}${[at(f.add, 0.5), at(f.add, 0.9), at(f.add, 0), at(f.del, 0.5)].map((v) => v.padStart(9)).join('')}`,
    );
}

try {
  await main();
} finally {
  for (const name of namespaces) await deleteNetns(runner, name).catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
}
