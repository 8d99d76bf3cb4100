import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInRoot } from '../../src/container/root-path.ts';

const root = mkdtempSync(join(tmpdir(), 'loom-root-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'run'));
mkdirSync(join(root, 'var'));
mkdirSync(join(root, 'usr/bin'), { recursive: true });
symlinkSync('/run', join(root, 'var/run'));
symlinkSync('usr/bin', join(root, 'bin'));
symlinkSync('../../../../../etc', join(root, 'usr/escape'));
symlinkSync('loop', join(root, 'loop'));

describe('resolveInRoot (symlinks followed inside the root, as runc securejoin)', () => {
  it.each([
    { path: '/var/run/secrets/token', resolved: '/run/secrets/token' },
    { path: '/bin/sh', resolved: '/usr/bin/sh' },
    { path: '/usr/escape/passwd', resolved: '/etc/passwd' },
    { path: '/../../etc/hosts', resolved: '/etc/hosts' },
    { path: '/not/there', resolved: '/not/there' },
    { path: '/loop/x', resolved: '/loop/x' },
  ])('$path → $resolved', ({ path, resolved }) => {
    expect(resolveInRoot(root, path)).toBe(resolved);
  });
});
