import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The first executable file named `name` in `dirs`, in their order (empty entries skipped). */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return undefined;
}
