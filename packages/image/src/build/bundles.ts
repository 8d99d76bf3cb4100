// Layer 3's programs: one file per `bin` of the packages the image ships, bundled by esbuild
// from TypeScript source, run by the image's Node (`#!/usr/local/bin/node`). Daemons are ES
// modules; the CNI plugins, started once per pod event, are CommonJS: Node's ESM loader costs
// them 5–12 ms per call (docs/image.md, measured); CommonJS starts within ~2–5 ms of a single
// executable.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The packages whose every `bin` is in the image (later: service-proxy, dns, ingress-gateway). */
export const IMAGE_PACKAGES = ['cni', 'ipam', 'route-agent'] as const;

/** Where the bundles run from in the image. */
export const IMAGE_NODE = '/usr/local/bin/node';
export const IMAGE_BIN_DIR = '/opt/loom/bin';
/** Node's flags on the ES-module bundles' first line (Linux passes them as one argument). */
export const DAEMON_NODE_FLAGS = '--optimize-for-size';

export interface Entrypoint {
  /** The command's name (the bin key): `loom-route-agent`. */
  name: string;
  /** The TypeScript source bundled for it. */
  entry: string;
  /** The package it comes from: `@loom-net/route-agent`. */
  packageName: string;
  /** `cjs` for a CNI plugin (short-lived, start-up bound), `esm` for everything else. */
  format: BundleFormat;
}

export type BundleFormat = 'esm' | 'cjs';

/**
 * Every bin of the package in `packageDir`, mapped to its TypeScript entry: a bin given as
 * source is bundled as is; `dist/<name>.js` comes from `src/<name>.ts`; `dist/<name>` without
 * an extension (the single executable `npm run build` makes for a CNI plugin) from `src/main.ts`,
 * bundled as CommonJS.
 */
export function packageEntrypoints(packageDir: string): Entrypoint[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    bin?: Record<string, string>;
  };
  return Object.entries(manifest.bin ?? {}).map(([name, bin]) => {
    const { source, format } = sourceOfBin(bin);
    const entry = join(packageDir, source);
    if (!existsSync(entry))
      throw new Error(`${manifest.name} bin ${name} (${bin}): its source ${entry} does not exist`);
    return { name, entry, packageName: manifest.name, format };
  });
}

function sourceOfBin(bin: string): { source: string; format: BundleFormat } {
  const path = bin.replace(/^\.\//, '');
  if (path.startsWith('src/') && path.endsWith('.ts')) return { source: path, format: 'esm' };
  if (path.startsWith('dist/') && path.endsWith('.js'))
    return { source: `src/${path.slice('dist/'.length, -'.js'.length)}.ts`, format: 'esm' };
  if (path.startsWith('dist/') && !path.slice('dist/'.length).includes('.'))
    return { source: 'src/main.ts', format: 'cjs' };
  throw new Error(`cannot tell which source builds the bin ${bin}`);
}

/**
 * The first lines of every bundle. In an ES module, bundled CommonJS dependencies (pino,
 * prom-client, the Kubernetes client's) call `require` for Node's built-ins, which an ES
 * module does not have.
 */
const BANNER: Record<BundleFormat, string> = {
  // The daemons (and the image's tools) trade a little speed for memory: V8 keeps a smaller
  // heap after a burst (bench/node-memory: the route agent at 1,000 Nodes, 167 → 103 MB RSS).
  esm: [
    `#!${IMAGE_NODE} ${DAEMON_NODE_FLAGS}`,
    "import { createRequire as __loomCreateRequire } from 'node:module';",
    'const require = __loomCreateRequire(import.meta.url);',
  ].join('\n'),
  cjs: `#!${IMAGE_NODE}`,
};

/** Bundles `entry` into one file at `outfile`, mode 0755. Returns its size in bytes. */
export async function bundleEntrypoint(
  entry: string,
  outfile: string,
  format: BundleFormat = 'esm',
): Promise<number> {
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'node',
      format,
      target: 'node24',
      conditions: ['loom-source'],
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [librariesWithoutSideEffects],
    });
  } catch (error) {
    const messages = (
      error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }
    ).errors;
    const detail = messages
      ?.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`)
      .join('\n');
    throw new Error(`cannot bundle ${entry}:\n${detail ?? (error as Error).message}`, {
      cause: error,
    });
  }
  // The entry's own `#!/usr/bin/env node` line, which esbuild keeps first, gives way to ours.
  const code = result.outputFiles![0]!.text.replace(/^#![^\n]*\n/, '');
  const bytes = Buffer.from(`${BANNER[format]}\n${code}`);
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, bytes, { mode: 0o755 });
  return bytes.byteLength;
}

/**
 * Loom's libraries re-export far more than any one program uses (core's index holds the
 * Kubernetes client, ipam's the podCIDR allocator, cni-spec the runtime side); declaring their
 * modules free of import side effects lets esbuild drop what a program does not reach, as the
 * CNI plugins' own build does (packages/ipam/scripts/plugin-executable.ts): start-up time on
 * every CNI call, and memory in every daemon.
 */
const packagesDir = join(import.meta.dirname, '..', '..', '..');
const libraryDirs = ['core', 'ipam', 'cni-spec'].map((pkg) => join(packagesDir, pkg, 'src'));
const inLibrary = (path: string) => libraryDirs.some((dir) => path.startsWith(dir));
const librariesWithoutSideEffects: Plugin = {
  name: 'loom-libraries-side-effects',
  setup(b) {
    b.onResolve(
      { filter: /^(@loom-net\/(core|ipam|cni-spec)(\/.*)?|\.\.?\/.*)$/ },
      async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        if (!args.path.startsWith('@loom-net/') && !inLibrary(args.importer)) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'resolving',
        });
        return inLibrary(resolved.path) ? { ...resolved, sideEffects: false } : resolved;
      },
    );
  },
};
