import { fileURLToPath } from 'node:url';
import { checkReadmeFlags } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import {
  CNI_INSTALL_FLAG_TABLE,
  CniInstallFlagsError,
  parseCniInstallFlags,
} from '../src/index.ts';

// loom-cni-install's flags live in their own page: a README holds one generated flag block.
const DOC = fileURLToPath(new URL('../docs/cni-install.md', import.meta.url));

function parse(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseCniInstallFlags(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
}

describe('parseCniInstallFlags', () => {
  it.each([
    {
      name: 'defaults: the image layout and the host dir mounted under /host',
      argv: [],
      env: {},
      want: {
        hostBinDir: '/host/opt/cni/bin',
        cniBinDir: '/opt/cni/bin',
        node: '/usr/local/bin/node',
        bundleDir: '/opt/loom/bin',
      },
    },
    {
      name: 'a cluster whose runtime runs plugins from elsewhere (k3s)',
      argv: ['--cni-bin-dir=/var/lib/rancher/k3s/data/cni', '--host-bin-dir=/host/cni'],
      env: {},
      want: { hostBinDir: '/host/cni', cniBinDir: '/var/lib/rancher/k3s/data/cni' },
    },
    {
      name: 'LOOM_* variables, the flag winning',
      argv: ['--node=/n'],
      env: { LOOM_NODE: '/ignored', LOOM_BUNDLE_DIR: '/b' },
      want: { node: '/n', bundleDir: '/b' },
    },
  ])('$name', ({ argv, env, want }) => {
    expect(parse(argv, env)).toMatchObject(want);
  });

  it.each([
    { argv: ['--node=node'], problem: '--node (or LOOM_NODE): "node" is not an absolute path' },
    {
      argv: ['--log-level=loud'],
      problem: '--log-level (or LOOM_LOG_LEVEL): "loud" is not one of',
    },
    { argv: ['--bin-dir=/x'], problem: "Unknown option '--bin-dir'" },
  ])('refuses $argv', ({ argv, problem }) => {
    expect(() => parse(argv)).toThrow(CniInstallFlagsError);
    expect(() => parse(argv)).toThrow(problem);
  });

  // To regenerate: LOOM_UPDATE_READMES=1 npx vitest run --project unit packages/route-agent/test/cni-install-flags.test.ts
  it("keeps the doc's flag table in step with the flags", async () => {
    const { expected, actual } = await checkReadmeFlags(DOC, CNI_INSTALL_FLAG_TABLE);
    expect(actual).toBe(expected);
  });
});
