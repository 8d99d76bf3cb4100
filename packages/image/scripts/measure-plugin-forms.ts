// Compares the two ways of putting loom-cni on a node's /opt/cni/bin (docs/image.md):
//   - a Node single executable per plugin (what `npm run build -w @loom-net/cni` makes), and
//   - one shared Node binary (`loom-node`) + the image's small bundle (CommonJS), whose first
//     line `loom-cni-install` rewrites to `#!<bin dir>/loom-node`; also with the flag the single
//     executables start with, and as an ES module (what the daemons are);
// timing a VERSION round trip from a fresh process (start-up: what every ADD pays first),
// alternating the forms round by round so machine noise hits them alike, and counting the
// bytes each writes per node. Needs dist/image/loom.oci.tar (npm run image) and, for the SEA
// row, packages/cni/dist/loom-cni (npm run build).
// Run: node --conditions=loom-source packages/image/scripts/measure-plugin-forms.ts [rounds]
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bundleEntrypoint } from '../src/build/bundles.ts';
import { openBlob, readOciArchive } from '../src/oci/archive-reader.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const archive = join(repoRoot, 'dist', 'image', 'loom.oci.tar');
const sea = join(repoRoot, 'packages', 'cni', 'dist', 'loom-cni');
const seaIpam = join(repoRoot, 'packages', 'ipam', 'dist', 'loom-ipam');
const rounds = Number(process.argv[2] ?? 100);
const print = (line: string) => process.stdout.write(`${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'loom-plugin-forms-'));
try {
  const image = await readOciArchive(archive);
  const layer = join(dir, 'loom-layer.tar.gz');
  await pipeline(openBlob(archive, image.layers.at(-1)!), createWriteStream(layer));
  const unpacked = join(dir, 'layer');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', layer, '-C', unpacked]);
  if (tar.status !== 0) throw new Error(`cannot unpack the Loom layer: ${tar.stderr}`);
  const node = join(dir, 'loom-node');
  copyFileSync(join(unpacked, 'usr/local/bin/node'), node);
  const bundle = readFileSync(join(unpacked, 'opt/loom/bin/loom-cni'), 'utf8').replace(
    /^#![^\n]*\n/,
    '',
  );
  const installed = (name: string, firstLine: string, code: string) => {
    mkdirSync(join(dir, name));
    const file = join(dir, name, 'loom-cni');
    writeFileSync(file, `${firstLine}\n${code}`);
    chmodSync(file, 0o755);
    return file;
  };
  const esm = join(dir, 'loom-cni.mjs');
  await bundleEntrypoint(join(repoRoot, 'packages', 'cni', 'src', 'main.ts'), esm, 'esm');
  const esmBundle = readFileSync(esm, 'utf8').replace(/^#![^\n]*\n/, '');
  const forms: Array<[string, string]> = [
    ['shared node + CJS bundle (shipped)', installed('bundle', `#!${node}`, bundle)],
    [
      '  the same, --no-rehash-snapshot',
      installed('flag', `#!${node} --no-rehash-snapshot`, bundle),
    ],
    ['shared node + ESM bundle', installed('esm', `#!${node}`, esmBundle)],
  ];
  if (existsSync(sea)) forms.push(['SEA per plugin (today)', sea]);
  if (existsSync('/usr/lib/cni/bridge'))
    forms.push(['reference: /usr/lib/cni/bridge (Go)', '/usr/lib/cni/bridge']);
  timeForms(forms);
  const bundles = ['loom-cni', 'loom-ipam'].map(
    (bin) => statSync(join(unpacked, 'opt/loom/bin', bin)).size,
  );
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  print('\nbytes written per node (/opt/cni/bin):');
  print(
    `  shared node + bundles  ${mb(statSync(node).size + bundles[0]! + bundles[1]!)} (node ${mb(statSync(node).size)}, bundles ${bundles.map((b) => `${(b / 1e3).toFixed(0)} KB`).join(' + ')})`,
  );
  if (existsSync(sea) && existsSync(seaIpam))
    print(
      `  SEA per plugin         ${mb(statSync(sea).size + statSync(seaIpam).size)} (loom-cni ${mb(statSync(sea).size)}, loom-ipam ${mb(statSync(seaIpam).size)})`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function timeForms(forms: Array<[string, string]>): void {
  const samples = forms.map(() => [] as number[]);
  for (let round = -5; round < rounds; round++) {
    forms.forEach(([name, file], i) => {
      const started = performance.now();
      const run = spawnSync(file, [], {
        input: '{"cniVersion":"1.1.0"}',
        env: { CNI_COMMAND: 'VERSION' },
      });
      if (round >= 0) samples[i]!.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`${name} failed: ${run.stdout}${run.stderr}`);
    });
  }
  print(`VERSION round trip, ${rounds} rounds alternating, ms:`);
  print(`${'form'.padEnd(40)}${'p50'.padStart(7)}${'p90'.padStart(7)}${'min'.padStart(7)}`);
  forms.forEach(([name], i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    print(
      `${name.padEnd(40)}${at(0.5).padStart(7)}${at(0.9).padStart(7)}${sorted[0]!.toFixed(1).padStart(7)}`,
    );
  });
}
