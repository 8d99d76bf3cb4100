import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.ts';
import { formatDuration } from './format-duration.ts';

/** Loom's CNI executables and the workspace package that builds each. */
export const CNI_PLUGINS = [
  { name: 'loom-cni', pkg: '@loom-net/cni' },
  { name: 'loom-ipam', pkg: '@loom-net/ipam' },
] as const;
export type CniPluginName = (typeof CNI_PLUGINS)[number]['name'];

export interface CniPluginOptions {
  env?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
}

export interface ResolvedCniPlugins {
  /** Each executable's path (in its package's `dist/`, or in LOOM_CNI_PLUGIN_DIR). */
  files: Record<CniPluginName, string>;
  /**
   * `built`: turbo (re)built at least one; `cached`: turbo had nothing to do; `env`: from
   * LOOM_CNI_PLUGIN_DIR; `prebuilt`: no checkout to build in, the packaged ones; `kept`: the
   * build failed and the existing executables are used (see `warning`).
   */
  source: 'built' | 'cached' | 'env' | 'prebuilt' | 'kept';
  warning?: string;
  durationMs: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The directory of a package, found as Node finds a dependency (node_modules up from here). */
export function packageDir(pkg: string, from: string = HERE): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The Loom checkout this package runs from, when it is one (turbo.json + its turbo). */
export function loomCheckout(from: string = HERE): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(turboPath(dir))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const turboPath = (root: string) => join(root, 'node_modules', '.bin', 'turbo');

function packagedFiles(): Record<CniPluginName, string> {
  const entries = CNI_PLUGINS.map(({ name, pkg }) => {
    const dir = packageDir(pkg);
    return [name, dir ? join(dir, 'dist', name) : join('node_modules', pkg, 'dist', name)];
  });
  return Object.fromEntries(entries) as Record<CniPluginName, string>;
}

const mtimeOf = (file: string) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/**
 * loom-cni and loom-ipam, built when missing or stale: in a checkout, `turbo run build` of the
 * two packages (and what they depend on), which replays its cache when no input changed and so
 * costs well under a second then. `LOOM_CNI_PLUGIN_DIR` points at executables built elsewhere.
 */
export async function ensureCniPlugins(
  options: CniPluginOptions = {},
): Promise<ResolvedCniPlugins> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => {});
  const given = env.LOOM_CNI_PLUGIN_DIR;
  if (given) {
    const files = Object.fromEntries(CNI_PLUGINS.map(({ name }) => [name, join(given, name)]));
    requirePresent(files as Record<CniPluginName, string>, `LOOM_CNI_PLUGIN_DIR=${given}`);
    return { files: files as Record<CniPluginName, string>, source: 'env', durationMs: 0 };
  }
  const files = packagedFiles();
  const root = loomCheckout();
  if (root === undefined) {
    requirePresent(files, 'the installed @loom-net/cni and @loom-net/ipam');
    return { files, source: 'prebuilt', durationMs: Date.now() - started };
  }
  const before = Object.values(files).map(mtimeOf);
  const names = CNI_PLUGINS.map((plugin) => plugin.name).join(', ');
  // Said only when turbo is not done at once: a cache hit takes a fraction of a second.
  const slow = setTimeout(() => progress(`building ${names} (turbo run build)…`), 1_000);
  const failure = await runTurboBuild(root, env).finally(() => clearTimeout(slow));
  const durationMs = Date.now() - started;
  if (failure !== undefined) {
    const present = Object.values(files).every((file) => existsSync(file));
    if (!present) {
      throw new LabError('LOOM_LAB_BUILD_FAILED', `cannot build ${names}: ${failure}`);
    }
    const warning = `cannot rebuild ${names}, using the existing executables: ${failure.split('\n').slice(-6).join('\n')}`;
    progress(`warning: ${warning}`);
    return { files, source: 'kept', warning, durationMs };
  }
  requirePresent(files, `turbo run build in ${root}`);
  const rebuilt = Object.values(files).some((file, i) => mtimeOf(file) !== before[i]);
  if (rebuilt) progress(`built ${names} in ${formatDuration(durationMs)}`);
  return { files, source: rebuilt ? 'built' : 'cached', durationMs };
}

function requirePresent(files: Record<CniPluginName, string>, where: string): void {
  const missing = Object.entries(files).filter(([, file]) => !existsSync(file));
  if (missing.length === 0) return;
  throw new LabError(
    'LOOM_LAB_BINARIES_MISSING',
    `${missing.map(([name, file]) => `${name} (${file})`).join(' and ')} missing in ${where}; build them with npm run build, or point LOOM_CNI_PLUGIN_DIR at a directory holding loom-cni and loom-ipam`,
  );
}

/** Runs turbo; resolves with its output when it fails, undefined when it succeeds. */
function runTurboBuild(root: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const filters = CNI_PLUGINS.map(({ pkg }) => `--filter=${pkg}`);
  const args = ['run', 'build', ...filters, '--output-logs=errors-only', '--ui=stream'];
  return new Promise((resolve) => {
    execFile(
      turboPath(root),
      args,
      {
        cwd: root,
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(undefined);
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-30).join('\n');
        resolve(`turbo ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${output}`);
      },
    );
  });
}
