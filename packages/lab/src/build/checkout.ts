import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The directory of a package, found as Node finds a dependency (node_modules up from here). */
export function packageDir(pkg: string, from: string = HERE): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The Loom checkout this package runs from, when it is one (turbo.json + its turbo). */
export function loomCheckout(from: string = HERE): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (
      existsSync(join(dir, 'turbo.json')) &&
      existsSync(join(dir, 'node_modules', '.bin', 'turbo'))
    ) {
      return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
