import { describe, expect, it } from 'vitest';
import { planBuild } from '../../src/build/build-plan.ts';
import { kubernetesLdflags } from '../../src/build/ldflags.ts';
import { LAB_BINARIES } from '../../src/build/versions.ts';

const options = {
  kubernetesVersion: 'v1.37.2',
  outDir: '/cache/.bin-partial-x',
  buildDate: '2026-01-01T00:00:00Z',
};

describe('the build plan', () => {
  it('stamps the version where both the components and client-go read it', () => {
    const flags = kubernetesLdflags('v1.37.2', '2026-01-01T00:00:00Z');
    expect(flags.split(' -X ').slice(1)).toEqual([
      'k8s.io/component-base/version.gitVersion=v1.37.2',
      'k8s.io/component-base/version.gitMajor=1',
      'k8s.io/component-base/version.gitMinor=37',
      'k8s.io/component-base/version.gitTreeState=clean',
      'k8s.io/component-base/version.buildDate=2026-01-01T00:00:00Z',
      'k8s.io/client-go/pkg/version.gitVersion=v1.37.2',
      'k8s.io/client-go/pkg/version.gitMajor=1',
      'k8s.io/client-go/pkg/version.gitMinor=37',
    ]);
    expect(flags.startsWith('-s -w ')).toBe(true);
  });

  it('go-gets every kubernetes command before building any, all in the kubernetes module', () => {
    const steps = planBuild(LAB_BINARIES, options);
    const kubernetes = steps.filter((step) => step.module === 'kubernetes');
    expect(kubernetes.map((step) => step.args[0])).toEqual([
      ...Array(6).fill('get'),
      ...Array(6).fill('build'),
    ]);
    expect(kubernetes[0]!.args).toEqual(['get', 'k8s.io/kubernetes/cmd/kube-apiserver@v1.37.2']);
    expect(kubernetes[6]!.args.slice(3)).toEqual([
      '-o',
      '/cache/.bin-partial-x/kube-apiserver',
      'k8s.io/kubernetes/cmd/kube-apiserver',
    ]);
    expect(kubernetes[11]!.args.slice(-2)).toEqual([
      '/cache/.bin-partial-x/agnhost',
      'k8s.io/kubernetes/test/images/agnhost',
    ]);
  });

  // go install refuses etcd: its go.mod has replace directives.
  it('builds etcd in a module of its own, from its module root', () => {
    expect(planBuild(['etcd'], options)).toEqual([
      {
        description: 'create the etcd build module',
        module: 'etcd',
        args: ['mod', 'init', 'loom.local/etcd-build'],
      },
      {
        description: 'resolve go.etcd.io/etcd/server/v3@v3.6.16',
        module: 'etcd',
        args: ['get', 'go.etcd.io/etcd/server/v3@v3.6.16'],
      },
      {
        description: 'build etcd v3.6.16',
        module: 'etcd',
        args: [
          'build',
          '-ldflags',
          '-s -w',
          '-o',
          '/cache/.bin-partial-x/etcd',
          'go.etcd.io/etcd/server/v3',
        ],
      },
    ]);
  });

  it('plans only what is missing; crictl is a plain go install', () => {
    const steps = planBuild(['kubectl', 'crictl'], options);
    expect(steps.map((step) => step.description)).toEqual([
      'resolve dependencies of kubectl',
      'build kubectl v1.37.2',
      'build crictl v1.37.0',
    ]);
    expect(steps[2]).toMatchObject({
      args: ['install', '-ldflags', '-s -w', 'sigs.k8s.io/cri-tools/cmd/crictl@v1.37.0'],
      env: { GOBIN: '/cache/.bin-partial-x' },
    });
    expect(steps[2]!.module).toBeUndefined();
  });

  // cri-tools builds critest with `go test -c`; a module needs the test imports for that.
  it('builds critest as a test binary in a module of its own, with its test dependencies', () => {
    expect(planBuild(['critest'], options)).toEqual([
      {
        description: 'create the critest build module',
        module: 'critest',
        args: ['mod', 'init', 'loom.local/critest-build'],
      },
      {
        description: 'resolve sigs.k8s.io/cri-tools/cmd/critest@v1.37.0 with its test dependencies',
        module: 'critest',
        args: ['get', '-t', 'sigs.k8s.io/cri-tools/cmd/critest@v1.37.0'],
      },
      {
        description: 'build critest v1.37.0',
        module: 'critest',
        args: [
          'test',
          '-c',
          '-ldflags',
          '-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=1.37.0',
          '-o',
          '/cache/.bin-partial-x/critest',
          'sigs.k8s.io/cri-tools/cmd/critest',
        ],
      },
    ]);
  });
});
