import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_TOOLS } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { REQUIRED_TOOLS } from '../src/preflight.ts';

const listFile = fileURLToPath(new URL('../../../.ci/debian-packages.txt', import.meta.url));

function ciPackages(): string[] {
  return readFileSync(listFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

// .ci/run installs the packages of .ci/debian-packages.txt on a fresh machine: every tool the
// lab's preflight or the kernel tier asks for must come from one of them.
describe("CI's Debian packages", () => {
  it.each([
    ['the lab', REQUIRED_TOOLS],
    ['the kernel tier', KERNEL_TOOLS],
    ['the Go toolchain fetch', { unzip: 'unzip' }],
  ])('hold every tool %s needs', (_who, tools) => {
    const packages = ciPackages();
    const missing = Object.entries(tools).filter(([, pkg]) => !packages.includes(pkg));
    expect(missing).toEqual([]);
  });
});
