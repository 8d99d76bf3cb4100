import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabError } from '../errors.ts';
import { formatDuration } from '../format-duration.ts';
import { KUBERNETES_MODULE, planBuild } from './build-plan.ts';
import { runGo } from './go-command.ts';
import { renderBuildGoMod } from './go-mod.ts';
import { KUBERNETES_VERSION, LAB_BINARIES, type LabBinary } from './versions.ts';

export interface BinaryOptions {
  env?: NodeJS.ProcessEnv;
  /** One human-readable line per build step. */
  onProgress?: (line: string) => void;
}

export interface ResolvedBinaries {
  binDir: string;
  /** Where they came from: LOOM_K8S_BIN_DIR, the cache as it was, or a build just now. */
  source: 'env' | 'cache' | 'built';
  built: LabBinary[];
  durationMs: number;
}

/** `~/.cache/loom/k8s` unless LOOM_CACHE_DIR (or XDG_CACHE_HOME) says otherwise. */
export function k8sCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.LOOM_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loom');
  return join(root, 'k8s');
}

export function binaryPath(binDir: string, binary: LabBinary): string {
  return join(binDir, binary);
}

/** The lab's binaries, built into the cache first if any is missing. */
export async function ensureBinaries(options: BinaryOptions = {}): Promise<ResolvedBinaries> {
  const env = options.env ?? process.env;
  const started = Date.now();
  const given = env.LOOM_K8S_BIN_DIR;
  if (given) {
    const missing = await missingBinaries(given);
    if (missing.length > 0) {
      throw new LabError(
        'LOOM_LAB_BINARIES_MISSING',
        `LOOM_K8S_BIN_DIR=${given} lacks ${missing.join(', ')}; unset it to build them into the cache`,
      );
    }
    return { binDir: given, source: 'env', built: [], durationMs: Date.now() - started };
  }
  const cacheDir = k8sCacheDir(env);
  const goVersion = await detectGoVersion();
  if (goVersion === undefined) {
    const cached = await findCompleteCache(cacheDir);
    if (cached) return { binDir: cached, source: 'cache', built: [], durationMs: 0 };
    throw new LabError(
      'LOOM_LAB_MISSING_TOOL',
      `cannot build the Kubernetes ${KUBERNETES_VERSION} binaries: go is not on PATH (Go ≥ 1.26 is needed; or set LOOM_K8S_BIN_DIR to a directory holding ${LAB_BINARIES.join(', ')})`,
    );
  }
  const binDir = join(cacheDir, `${KUBERNETES_VERSION}-${goVersion}`, 'bin');
  const missing = await missingBinaries(binDir);
  if (missing.length === 0) {
    return { binDir, source: 'cache', built: [], durationMs: Date.now() - started };
  }
  await buildBinaries(missing, binDir, options.onProgress ?? (() => {}));
  return { binDir, source: 'built', built: missing, durationMs: Date.now() - started };
}

export async function missingBinaries(binDir: string): Promise<LabBinary[]> {
  const checks = await Promise.all(
    LAB_BINARIES.map(async (binary) => {
      try {
        await access(join(binDir, binary), constants.X_OK);
        return undefined;
      } catch {
        return binary;
      }
    }),
  );
  return checks.filter((binary): binary is LabBinary => binary !== undefined);
}

async function detectGoVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('go', ['env', 'GOVERSION'], { timeout: 30_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function findCompleteCache(cacheDir: string): Promise<string | undefined> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith(`${KUBERNETES_VERSION}-`))) {
    const binDir = join(cacheDir, entry, 'bin');
    if ((await missingBinaries(binDir)).length === 0) return binDir;
  }
  return undefined;
}

/**
 * Builds in a throwaway module outside the repository into a temporary directory next to
 * the cache, then renames each binary into place: an interrupted build never leaves a
 * half-written binary that a later run would take for a complete one.
 */
async function buildBinaries(
  missing: LabBinary[],
  binDir: string,
  progress: (line: string) => void,
): Promise<void> {
  const total = Date.now();
  const slow = missing.includes('kube-apiserver') ? ' (cold, on 2 cores: ~15 minutes)' : '';
  progress(`building ${missing.join(', ')} into ${binDir}${slow}`);
  const parent = join(binDir, '..');
  await mkdir(parent, { recursive: true });
  const modules = await mkdtemp(join(tmpdir(), 'loom-k8s-build-'));
  const outDir = await mkdtemp(join(parent, '.bin-partial-'));
  try {
    const steps = planBuild(missing, {
      kubernetesVersion: KUBERNETES_VERSION,
      outDir,
      buildDate: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    if (steps.some((step) => step.module === KUBERNETES_MODULE)) {
      await writeKubernetesModule(join(modules, KUBERNETES_MODULE), progress);
    }
    for (const [index, step] of steps.entries()) {
      const started = Date.now();
      const label = `[${index + 1}/${steps.length}] ${step.description}`;
      const cwd = step.module === undefined ? modules : join(modules, step.module);
      await mkdir(cwd, { recursive: true });
      progress(`${label}…`);
      await runGo(step.args, {
        cwd,
        ...(step.env ? { env: step.env } : {}),
        onHeartbeat: (elapsed) => progress(`${label}: still running (${elapsed})`),
      });
      progress(`${label}: done in ${formatDuration(Date.now() - started)}`);
    }
    await mkdir(binDir, { recursive: true });
    for (const binary of missing) await rename(join(outDir, binary), join(binDir, binary));
    progress(`built ${missing.join(', ')} in ${formatDuration(Date.now() - total)}`);
  } finally {
    await rm(modules, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  }
}

async function writeKubernetesModule(
  moduleDir: string,
  progress: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  await mkdir(moduleDir, { recursive: true });
  progress(`download k8s.io/kubernetes@${KUBERNETES_VERSION}…`);
  const out = await runGo(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], {
    cwd: moduleDir,
  });
  const download = JSON.parse(out) as { GoMod?: string; Error?: string };
  if (!download.GoMod) {
    throw new LabError(
      'LOOM_LAB_BUILD_FAILED',
      `cannot download k8s.io/kubernetes@${KUBERNETES_VERSION}: ${download.Error ?? 'no go.mod in the answer'}`,
    );
  }
  const goMod = renderBuildGoMod(await readFile(download.GoMod, 'utf8'), KUBERNETES_VERSION);
  await writeFile(join(moduleDir, 'go.mod'), goMod);
  progress(
    `download k8s.io/kubernetes@${KUBERNETES_VERSION}: done in ${formatDuration(Date.now() - started)}`,
  );
}
