import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderBuildGoMod, stagingModules } from '../../src/build/go-mod.ts';
import { stagingVersion } from '../../src/build/versions.ts';

const sample = readFileSync(new URL('../fixtures/kubernetes-sample.mod', import.meta.url), 'utf8');

describe('the throwaway build module', () => {
  it('finds every staging module, in a replace block or on its own line, and nothing else', () => {
    expect(stagingModules(sample)).toEqual([
      'k8s.io/api',
      'k8s.io/client-go',
      'k8s.io/cri-streaming',
      'k8s.io/streaming',
    ]);
  });

  it('pins each staging module to the published v0 release and keeps go and godebug', () => {
    expect(renderBuildGoMod(sample, 'v1.37.2')).toBe(
      [
        'module loom.local/k8s-build',
        '',
        'go 1.26.0',
        '',
        'godebug default=go1.26',
        '',
        'replace (',
        '\tk8s.io/api => k8s.io/api v0.37.2',
        '\tk8s.io/client-go => k8s.io/client-go v0.37.2',
        '\tk8s.io/cri-streaming => k8s.io/cri-streaming v0.37.2',
        '\tk8s.io/streaming => k8s.io/streaming v0.37.2',
        ')',
        '',
      ].join('\n'),
    );
  });

  it('keeps a godebug block', () => {
    const mod = sample.replace(
      'godebug default=go1.26',
      'godebug (\n\tdefault=go1.26\n\tx509sha1=1\n)',
    );
    expect(renderBuildGoMod(mod, 'v1.37.2')).toContain(
      'godebug (\n\tdefault=go1.26\n\tx509sha1=1\n)',
    );
  });

  it.each([
    { name: 'no go directive', mod: sample.replace(/^go .*$/m, ''), error: /no go directive/ },
    {
      name: 'no staging replace',
      mod: 'module k8s.io/kubernetes\n\ngo 1.26.0\n',
      error: /replaces no staging module/,
    },
  ])('refuses a .mod with $name', ({ mod, error }) => {
    expect(() => renderBuildGoMod(mod, 'v1.37.2')).toThrow(error);
  });

  it.each([
    ['v1.37.2', 'v0.37.2'],
    ['v1.40.11', 'v0.40.11'],
  ])('maps Kubernetes %s to staging %s', (kubernetes, staging) => {
    expect(stagingVersion(kubernetes)).toBe(staging);
  });

  it('rejects a version that has no staging counterpart', () => {
    expect(() => stagingVersion('1.37.2')).toThrow(/unsupported Kubernetes version "1.37.2"/);
  });
});
