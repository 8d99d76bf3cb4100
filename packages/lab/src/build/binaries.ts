import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@loom-net/core';
import { k8sCacheDir, loomCacheDir } from '@loom-net/lab-runtime/lab-binaries';
import { LabError } from '../errors.ts';
import { KUBERNETES_MODULE, planBuild } from './build-plan.ts';
import { formatDuration } from './format-duration.ts';
import { runGo } from './go-command.ts';
import { renderBuildGoMod } from './go-mod.ts';
import { ensureGoToolchain, type GoCommand, goOnPath } from './go-toolchain.ts';
import {
  CRI_API_MODULE,
  CRI_API_PROTO_FILE,
  CRI_API_PROTO_IN_MODULE,
  GO_TOOLCHAIN,
  KUBERNETES_VERSION,
  LAB_BINARIES,
  type LabBinary,
  stagingVersion,
} from './versions.ts';

export interface BinaryOptions {
  env?: NodeJS.ProcessEnv;
  /** One human-readable line per build step. */
  onProgress?: (line: string) => void;
}

/** What a complete binary directory holds: the binaries and the CRI API the runtime serves. */
export type LabArtifact = LabBinary | typeof CRI_API_PROTO_FILE;

export interface ResolvedBinaries {
  binDir: string;
  /** Where they came from: LOOM_K8S_BIN_DIR, the cache as it was, or a build just now. */
  source: 'env' | 'cache' | 'built';
  built: LabArtifact[];
  durationMs: number;
  /** The Go that built them, when something was built. */
  go?: GoCommand;
}

export function binaryPath(binDir: string, binary: LabArtifact): string {
  return join(binDir, binary);
}

/** The CRI API's api.proto in a binary directory. */
export function criProtoPath(binDir: string): string {
  return join(binDir, CRI_API_PROTO_FILE);
}

/**
 * The lab's binaries, built into the cache first if any is missing. The build needs Go ≥
 * GO_MINIMUM: the machine's when it has one, else the pinned toolchain, which is fetched
 * from the Go module proxy into the cache (and said so).
 */
export async function ensureBinaries(options: BinaryOptions = {}): Promise<ResolvedBinaries> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => {});
  const started = Date.now();
  const given = env.LOOM_K8S_BIN_DIR;
  if (given) {
    const missing = await missingArtifacts(given);
    if (missing.length > 0) {
      throw new LabError(
        'LOOM_LAB_BINARIES_MISSING',
        `LOOM_K8S_BIN_DIR=${given} lacks ${missing.join(', ')}; unset it to build them into the cache`,
      );
    }
    return { binDir: given, source: 'env', built: [], durationMs: Date.now() - started };
  }
  const cacheDir = k8sCacheDir(env);
  const machineGo = await goOnPath(env);
  let go: GoCommand;
  if ('go' in machineGo) {
    go = machineGo.go;
  } else {
    // Any complete cache serves without Go; only a build needs one.
    const cached = await findCompleteCache(cacheDir);
    if (cached) return { binDir: cached, source: 'cache', built: [], durationMs: 0 };
    progress(`${machineGo.why}: using Loom's pinned Go ${GO_TOOLCHAIN.version}`);
    go = await ensureGoToolchain(loomCacheDir(env), { env, onProgress: progress });
  }
  const binDir = join(cacheDir, `${KUBERNETES_VERSION}-${go.version}`, 'bin');
  const missing = await missingArtifacts(binDir);
  if (missing.length === 0) {
    return { binDir, source: 'cache', built: [], durationMs: Date.now() - started };
  }
  await buildArtifacts(missing, binDir, go, progress);
  return { binDir, source: 'built', built: missing, durationMs: Date.now() - started, go };
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

/** The binaries that are missing or not executable, and the CRI proto if it is missing. */
export async function missingArtifacts(binDir: string): Promise<LabArtifact[]> {
  const binaries: LabArtifact[] = await missingBinaries(binDir);
  const proto = await access(criProtoPath(binDir), constants.R_OK).then(
    (): LabArtifact[] => [],
    (): LabArtifact[] => [CRI_API_PROTO_FILE],
  );
  return [...binaries, ...proto];
}

async function findCompleteCache(cacheDir: string): Promise<string | undefined> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith(`${KUBERNETES_VERSION}-`))) {
    const binDir = join(cacheDir, entry, 'bin');
    if ((await missingArtifacts(binDir)).length === 0) return binDir;
  }
  return undefined;
}

async function buildArtifacts(
  missing: LabArtifact[],
  binDir: string,
  go: GoCommand,
  progress: (line: string) => void,
): Promise<void> {
  const binaries = missing.filter(
    (artifact): artifact is LabBinary => artifact !== CRI_API_PROTO_FILE,
  );
  if (binaries.length > 0) await buildBinaries(binaries, binDir, go, progress);
  if (missing.includes(CRI_API_PROTO_FILE)) await copyCriProto(binDir, go, progress);
}

/**
 * Copies the CRI API's api.proto out of the Go module cache beside the binaries, so the lab
 * runtime never depends on the module cache (which `go clean -modcache` empties, and which a
 * LOOM_K8S_BIN_DIR user may not have).
 */
async function copyCriProto(
  binDir: string,
  go: GoCommand,
  progress: (line: string) => void,
): Promise<void> {
  const module = `${CRI_API_MODULE}@${stagingVersion(KUBERNETES_VERSION)}`;
  const scratch = await mkdtemp(join(tmpdir(), 'loom-cri-api-'));
  try {
    const { Dir } = await downloadModule(module, 'Dir', { cwd: scratch, go });
    await mkdir(binDir, { recursive: true });
    const proto = await readFile(join(Dir, CRI_API_PROTO_IN_MODULE));
    await writeFileAtomic(criProtoPath(binDir), proto, { mode: 0o644 });
    progress(`copied the CRI API of ${module} to ${criProtoPath(binDir)}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds in a throwaway module outside the repository into a temporary directory next to
 * the cache, then renames each binary into place: an interrupted build never leaves a
 * half-written binary that a later run would take for a complete one.
 */
async function buildBinaries(
  missing: LabBinary[],
  binDir: string,
  go: GoCommand,
  progress: (line: string) => void,
): Promise<void> {
  const total = Date.now();
  const slow = missing.includes('kube-apiserver') ? ' (cold, on 2 cores: ~15 minutes)' : '';
  progress(`building ${missing.join(', ')} into ${binDir} with ${go.version}${slow}`);
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
      await writeKubernetesModule(join(modules, KUBERNETES_MODULE), go, progress);
    }
    for (const [index, step] of steps.entries()) {
      const started = Date.now();
      const label = `[${index + 1}/${steps.length}] ${step.description}`;
      const cwd = step.module === undefined ? modules : join(modules, step.module);
      await mkdir(cwd, { recursive: true });
      progress(`${label}…`);
      await runGo(step.args, {
        cwd,
        go,
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
  go: GoCommand,
  progress: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  await mkdir(moduleDir, { recursive: true });
  progress(`download k8s.io/kubernetes@${KUBERNETES_VERSION}…`);
  const module = `k8s.io/kubernetes@${KUBERNETES_VERSION}`;
  const { GoMod } = await downloadModule(module, 'GoMod', { cwd: moduleDir, go });
  const goMod = renderBuildGoMod(await readFile(GoMod, 'utf8'), KUBERNETES_VERSION);
  await writeFile(join(moduleDir, 'go.mod'), goMod);
  progress(
    `download k8s.io/kubernetes@${KUBERNETES_VERSION}: done in ${formatDuration(Date.now() - started)}`,
  );
}

/**
 * `go mod download -json MODULE@VERSION` into the module cache; resolves with the answer, which
 * must hold `field` (`Dir`: the unpacked module, `GoMod`: its go.mod).
 */
async function downloadModule<Field extends 'Dir' | 'GoMod'>(
  module: string,
  field: Field,
  options: { cwd: string; go: GoCommand },
): Promise<Record<Field, string>> {
  const out = await runGo(['mod', 'download', '-json', module], options);
  const download = JSON.parse(out) as Partial<Record<Field | 'Error', string>>;
  const value = download[field];
  if (!value) {
    throw new LabError(
      'LOOM_LAB_BUILD_FAILED',
      `cannot download ${module}: ${download.Error ?? `no ${field} in the answer`}`,
    );
  }
  return { [field]: value } as Record<Field, string>;
}
