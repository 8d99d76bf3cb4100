/// <reference path="./postject.d.ts" />
// Builds a CNI plugin into one executable that runs without Node installed: the plugin is
// bundled by esbuild into one CommonJS file, which becomes a Node single executable
// application (SEA): a copy of this Node binary with the bundle and a V8 code cache trained by
// real calls injected (trained-code-cache.ts). Measured against "bundle + copied node runtime"
// by packages/cni/scripts/measure-startup.ts; see the cni README for the numbers and the choice.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import {
  BUNDLE_ASSET,
  CACHE_ASSET,
  CACHE_REJECTED,
  seaLoaderSource,
  trainCodeCache,
} from './trained-code-cache.ts';

// The fuse string Node's SEA support looks for (nodejs.org/api/single-executable-applications).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Node/V8 flags every plugin executable starts with (the SEA config's `execArgv`).
 *
 * `--no-rehash-snapshot`: at start, V8 draws a random hash seed, derives its string-hashing
 * secrets from it and rehashes every table in Node's built-in snapshot: ~4.5 ms of a ~25 ms
 * start here, on every CNI call. Without it the seed is the one baked into the snapshot, so
 * string hashes are predictable, which matters only to a process hashing attacker-chosen keys
 * in bulk (hash flooding). A plugin hashes the keys of one configuration that the container
 * runtime hands it (the network's file from /etc/cni/net.d plus the runtime's own arguments)
 * and exits: at worst a crafted configuration slows down the one call that carries it.
 */
export const PLUGIN_EXEC_ARGV: readonly string[] = ['--no-rehash-snapshot'];

// @loom-net/core's index also re-exports the Kubernetes client, metrics, logging and the cluster
// config checks, @loom-net/ipam's the node podCIDR allocator, and @loom-net/cni-spec holds the
// runtime side (libcni) as well; the plugins use only the network model, the kernel runner and
// the plugin side of the protocol. Declaring those libraries' modules free of import side
// effects lets esbuild drop every module a plugin does not use (3 MB → about 0.1 MB), which is
// start-up time saved on every CNI call.
const libraryDirs = ['core', 'ipam', 'cni-spec'].map((pkg) =>
  join(dirname(import.meta.dirname), '..', pkg, 'src'),
);
const inLibrary = (path: string) => libraryDirs.some((dir) => path.startsWith(dir));
const librariesWithoutSideEffects: Plugin = {
  name: 'loom-libraries-side-effects',
  setup(b) {
    b.onResolve({ filter: /^(@loom-net\/(core|ipam|cni-spec)|\.\.?\/.*)$/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      if (!args.path.startsWith('@loom-net/') && !inLibrary(args.importer)) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      return inLibrary(resolved.path) ? { ...resolved, sideEffects: false } : resolved;
    });
  },
};

/** Bundles `entry` (a TypeScript source) into one CommonJS file for Node 24. */
export async function bundlePlugin(entry: string, outfile: string): Promise<void> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    conditions: ['loom-source'],
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [librariesWithoutSideEffects],
  });
}

export interface SeaOptions {
  /** The bundle to embed. */
  bundle: string;
  /** The executable to write. */
  output: string;
  /** The Node binary to copy; default: the one running this script. */
  node?: string;
  /**
   * V8 code cache: `trained` (default) by an ADD, a DEL and a VERSION of the bundle;
   * `compiled`, Node's own, of the top-level code only; `none`.
   */
  codeCache?: 'trained' | 'compiled' | 'none';
}

/** Turns a bundle into a single executable application. */
export async function buildSea(options: SeaOptions): Promise<void> {
  const node = options.node ?? process.execPath;
  const codeCache = options.codeCache ?? 'trained';
  const blob = `${options.output}.blob`;
  const config = `${options.output}.sea.json`;
  const loader = `${options.output}.loader.cjs`;
  const cache = `${options.output}.cache`;
  const trained = codeCache === 'trained';
  if (trained) {
    trainCodeCache(options.bundle, cache, node, PLUGIN_EXEC_ARGV);
    writeFileSync(loader, seaLoaderSource());
  }
  writeFileSync(
    config,
    JSON.stringify({
      main: trained ? loader : options.bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache !== 'none',
      execArgv: PLUGIN_EXEC_ARGV,
      ...(trained ? { assets: { [BUNDLE_ASSET]: options.bundle, [CACHE_ASSET]: cache } } : {}),
    }),
  );
  try {
    // Node compiles the main script's code cache here; V8 takes it only under the same flags.
    const made = spawnSync(node, [...PLUGIN_EXEC_ARGV, '--experimental-sea-config', config], {
      encoding: 'utf8',
    });
    if (made.status !== 0)
      throw new Error(
        `cannot prepare the SEA blob for ${options.output}: ${made.stderr || made.error?.message}`,
      );
    rmSync(options.output, { force: true });
    copyFileSync(node, options.output);
    chmodSync(options.output, 0o755);
    const { inject } = await import('postject');
    await quietly(() =>
      inject(options.output, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE }),
    );
    if (trained) checkCacheTaken(options.output);
  } finally {
    for (const file of [blob, config, loader, cache]) rmSync(file, { force: true });
  }
}

// Node's warning when V8 refuses the SEA's own code cache (of the main script).
const NODE_CACHE_REJECTED = 'Code cache data rejected';

// A cache V8 refuses (another V8 version or other flags) costs its gain silently: the loader
// says so on stderr, and the build fails on it.
function checkCacheTaken(executable: string): void {
  const run = spawnSync(executable, [], { env: { CNI_COMMAND: 'VERSION' }, encoding: 'utf8' });
  if (
    run.status !== 0 ||
    run.stderr.includes(CACHE_REJECTED) ||
    run.stderr.includes(NODE_CACHE_REJECTED)
  ) {
    throw new Error(
      `${executable} does not start cleanly (${run.status}): ${run.stderr || run.error?.message}`,
    );
  }
}

// postject (LIEF compiled to wasm) narrates every step and warns about ELF notes it does not
// need, through console; the build stays quiet.
async function quietly(work: () => Promise<void>): Promise<void> {
  // biome-ignore lint/suspicious/noConsole: saved to be restored, not used to print
  const saved = { log: console.log, warn: console.warn };
  Object.assign(console, { log: () => {}, warn: () => {} });
  try {
    await work();
  } finally {
    Object.assign(console, saved);
  }
}

export interface PluginExecutableOptions {
  /** The plugin's entry point (src/main.ts). */
  entry: string;
  /** The executable's path, e.g. dist/loom-ipam. */
  output: string;
}

/** Bundle + SEA: the shipping form of a plugin. */
export async function buildPluginExecutable(options: PluginExecutableOptions): Promise<void> {
  const bundle = `${options.output}.cjs`;
  await bundlePlugin(options.entry, bundle);
  await buildSea({ bundle, output: options.output });
}

/** Where a package's entry and executable are, from its scripts/ directory. */
export function packagePaths(scriptsDir: string, name: string): PluginExecutableOptions {
  const root = dirname(scriptsDir);
  return { entry: join(root, 'src', 'main.ts'), output: join(root, 'dist', name) };
}
