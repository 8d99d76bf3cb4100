import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { skipOrFailInCi } from '@loom-net/core/testing/prerequisites';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// Dropping to an unprivileged user needs root and setpriv (util-linux).
const skip = skipOrFailInCi(
  process.getuid?.() !== 0
    ? 'dropping to an unprivileged user needs root'
    : existsSync('/usr/bin/setpriv')
      ? undefined
      : 'dropping to an unprivileged user needs /usr/bin/setpriv (Debian: util-linux)',
);

describe.skipIf(skip !== undefined)(
  `loom as an unprivileged user${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it.each(['up', 'down', 'status'])('refuses lab %s, saying root is needed', async (verb) => {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            process.execPath,
            '--conditions=loom-source',
            main,
            'lab',
            verb,
            '--state-dir',
            '/tmp/loom-nobody-lab',
          ],
          (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^loom: cannot .+: the lab creates network namespaces and must run as root \(try sudo\)\n$/,
      );
    });
  },
);
