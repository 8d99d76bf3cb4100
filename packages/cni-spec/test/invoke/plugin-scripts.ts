import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A directory of fake plugins: shell scripts written by the test, removed by `cleanup`. */
export interface PluginDir {
  dir: string;
  /** Writes an executable `name` whose body is `script` (sh). */
  add(name: string, script: string): string;
  cleanup(): void;
}

export function pluginDir(): PluginDir {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cni-spec-'));
  return {
    dir,
    add(name, script) {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\n${script}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
