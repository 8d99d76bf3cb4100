import { stagingVersion } from './versions.ts';

export const BUILD_MODULE_PATH = 'loom.local/k8s-build';

/**
 * The go.mod of the throwaway module that builds k8s.io/kubernetes commands.
 *
 * k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/client-go, …) with
 * local paths, and Go ignores a dependency's replace directives, so `go install` of its
 * commands cannot work. The throwaway module repeats each of those replaces, pointing at
 * the published staging module of the matching version instead. The list is read from the
 * downloaded .mod file, never hand-maintained: new staging modules appear between releases.
 */
export function renderBuildGoMod(kubernetesMod: string, kubernetesVersion: string): string {
  const version = stagingVersion(kubernetesVersion);
  const goDirective = /^go\s+(\S+)\s*$/m.exec(kubernetesMod)?.[1];
  if (goDirective === undefined) {
    throw new Error(`k8s.io/kubernetes@${kubernetesVersion} go.mod has no go directive`);
  }
  const staging = stagingModules(kubernetesMod);
  if (staging.length === 0) {
    throw new Error(`k8s.io/kubernetes@${kubernetesVersion} go.mod replaces no staging module`);
  }
  const lines = [`module ${BUILD_MODULE_PATH}`, '', `go ${goDirective}`, ''];
  const godebug = godebugLines(kubernetesMod);
  if (godebug.length > 0) lines.push(...godebug, '');
  lines.push('replace (');
  for (const module of staging) lines.push(`\t${module} => ${module} ${version}`);
  lines.push(')', '');
  return lines.join('\n');
}

/** Modules replaced by `./staging/src/…` paths, in a replace block or on single lines. */
export function stagingModules(kubernetesMod: string): string[] {
  const found = new Set<string>();
  const pattern =
    /^\s*(?:replace\s+)?(k8s\.io\/\S+)(?:\s+v\S+)?\s+=>\s+\.\/staging\/src\/\S+\s*$/gm;
  for (const match of kubernetesMod.matchAll(pattern)) found.add(match[1]!);
  return [...found].sort();
}

// The godebug settings change runtime behaviour of the built binaries; keep upstream's.
function godebugLines(kubernetesMod: string): string[] {
  const block = /^godebug\s*\(\n([\s\S]*?)^\)/m.exec(kubernetesMod);
  if (block) return ['godebug (', ...block[1]!.trimEnd().split('\n'), ')'];
  return kubernetesMod.split('\n').filter((line) => /^godebug\s+\S+=\S+/.test(line));
}
