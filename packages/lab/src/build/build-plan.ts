import { kubernetesLdflags } from './ldflags.ts';
import { BINARY_SOURCES, type LabBinary } from './versions.ts';

/**
 * The throwaway module a step runs in: `kubernetes` is the shared one whose go.mod the
 * builder writes from k8s.io/kubernetes' own; any other name is a module the plan itself
 * initialises. Absent = no module (`go install pkg@version`).
 */
export type BuildModule = string;

/** One `go` invocation of a build, as plain data (the builder runs them in order). */
export interface GoStep {
  description: string;
  module?: BuildModule;
  args: string[];
  env?: Record<string, string>;
}

export const KUBERNETES_MODULE = 'kubernetes';

export interface BuildPlanOptions {
  kubernetesVersion: string;
  /** Output directory of the build (a temporary one; the builder moves the results). */
  outDir: string;
  buildDate: string;
}

/**
 * The `go get`s and builds that produce `missing`. Every k8s.io/kubernetes command must be
 * `go get`-ed before it is built: building one that was not fails with "missing go.sum
 * entry" for the packages only it uses (kubelet needs k8s.io/cri-streaming, kubectl
 * kustomize).
 */
export function planBuild(missing: readonly LabBinary[], options: BuildPlanOptions): GoStep[] {
  const wanted = BINARY_SOURCES.filter((source) => missing.includes(source.binary));
  const module = KUBERNETES_MODULE;
  const steps: GoStep[] = [];
  for (const source of wanted) {
    if (source.kind !== 'kubernetes') continue;
    const args = ['get', `k8s.io/kubernetes/${source.pkg}@${options.kubernetesVersion}`];
    steps.push({ description: `resolve dependencies of ${source.binary}`, module, args });
  }
  const ldflags = kubernetesLdflags(options.kubernetesVersion, options.buildDate);
  for (const source of wanted) {
    const output = `${options.outDir}/${source.binary}`;
    if (source.kind === 'kubernetes') {
      steps.push({
        description: `build ${source.binary} ${options.kubernetesVersion}`,
        module,
        args: ['build', '-ldflags', ldflags, '-o', output, `k8s.io/kubernetes/${source.pkg}`],
      });
    } else if (source.kind === 'module') {
      const own = source.binary;
      steps.push(
        {
          description: `create the ${own} build module`,
          module: own,
          args: ['mod', 'init', `loom.local/${own}-build`],
        },
        {
          description: `resolve ${source.pkg}@${source.version}`,
          module: own,
          args: ['get', `${source.pkg}@${source.version}`],
        },
        {
          description: `build ${source.binary} ${source.version}`,
          module: own,
          args: ['build', '-ldflags', '-s -w', '-o', output, source.pkg],
        },
      );
    } else if (source.kind === 'test') {
      const own = source.binary;
      steps.push(
        {
          description: `create the ${own} build module`,
          module: own,
          args: ['mod', 'init', `loom.local/${own}-build`],
        },
        // -t: the package is a test, so its test-only imports (ginkgo, gomega) are needed too.
        {
          description: `resolve ${source.pkg}@${source.version} with its test dependencies`,
          module: own,
          args: ['get', '-t', `${source.pkg}@${source.version}`],
        },
        {
          description: `build ${source.binary} ${source.version}`,
          module: own,
          args: ['test', '-c', '-ldflags', source.ldflags, '-o', output, source.pkg],
        },
      );
    } else {
      steps.push({
        description: `build ${source.binary} ${source.version}`,
        args: ['install', '-ldflags', '-s -w', `${source.pkg}@${source.version}`],
        env: { GOBIN: options.outDir },
      });
    }
  }
  return steps;
}
