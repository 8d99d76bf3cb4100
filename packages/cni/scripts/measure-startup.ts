// Measures how fast loom-cni starts in each shipping form, alternating the forms round by
// round so that machine noise hits them alike. Run: node packages/cni/scripts/measure-startup.ts
//   - bundle + copied node: the esbuild bundle run by a copy of the Node binary, through the
//     /bin/sh launcher a CNI directory needs (a plugin is found by its bare name);
//   - bundle + node, no launcher: the same without the shell (not installable as is; a bound);
//   - SEA with a code cache trained by real calls (shipped), with Node's own code cache (the
//     top-level code compiled at build time), and without a code cache.
// A V8 startup snapshot is not among them: it would freeze at build time the environment that
// core's command runner reads when its module loads.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSea, bundlePlugin, PLUGIN_EXEC_ARGV } from '../../ipam/scripts/plugin-executable.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);
if (process.argv[2] === '--time') {
  timeForms(Number(process.argv[3]), JSON.parse(process.argv[4]!) as Array<[string, string[]]>);
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'loom-startup-'));
try {
  const bundle = join(dir, 'loom-cni.cjs');
  await bundlePlugin(join(import.meta.dirname, '..', 'src', 'main.ts'), bundle);
  const node = join(dir, 'node');
  copyFileSync(process.execPath, node);
  const launcher = join(dir, 'loom-cni');
  // Every form starts with the flags the executables start with.
  const flags = PLUGIN_EXEC_ARGV.join(' ');
  writeFileSync(launcher, `#!/bin/sh\nexec "\${0%/*}/node" ${flags} "\${0%/*}/loom-cni.cjs"\n`);
  chmodSync(launcher, 0o755);
  await buildSea({ bundle, output: join(dir, 'sea-trained'), codeCache: 'trained' });
  await buildSea({ bundle, output: join(dir, 'sea-cache'), codeCache: 'compiled' });
  await buildSea({ bundle, output: join(dir, 'sea-plain'), codeCache: 'none' });

  const forms: Array<[string, string[]]> = [
    ['bundle + copied node (launcher)', [launcher]],
    ['bundle + node, no launcher', [node, ...PLUGIN_EXEC_ARGV, bundle]],
    ['SEA, trained code cache', [join(dir, 'sea-trained')]],
    ['SEA, code cache', [join(dir, 'sea-cache')]],
    ['SEA, no code cache', [join(dir, 'sea-plain')]],
    ['reference: /usr/lib/cni/bridge', ['/usr/lib/cni/bridge']],
  ];
  // Timed from a fresh process: this one has grown by the builds (postject's wasm), and a
  // parent's size slows every fork it makes.
  const timer = spawnSync(
    process.execPath,
    [import.meta.filename, '--time', String(rounds), JSON.stringify(forms)],
    { stdio: 'inherit' },
  );
  if (timer.status !== 0) throw new Error('timing the forms failed');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function timeForms(rounds: number, forms: Array<[string, string[]]>): void {
  const samples = forms.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    forms.forEach(([name, argv], i) => {
      const started = performance.now();
      const run = spawnSync(argv[0]!, argv.slice(1), {
        input: '{"cniVersion":"1.1.0"}',
        env: { CNI_COMMAND: 'VERSION' },
      });
      samples[i]!.push(performance.now() - started);
      if (run.status !== 0) throw new Error(`${name} failed: ${run.stdout}${run.stderr}`);
    });
  }
  print(`VERSION round trip, ${rounds} rounds, alternating (ms):`);
  print(`${'form'.padEnd(34)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'min'.padStart(8)}`);
  forms.forEach(([name], i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    print(
      `${name.padEnd(34)}${at(0.5).padStart(8)}${at(0.9).padStart(8)}${sorted[0]!.toFixed(1).padStart(8)}`,
    );
  });
}
