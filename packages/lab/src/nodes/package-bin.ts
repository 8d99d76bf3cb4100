import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from '../build/checkout.ts';
import { LabError } from '../errors.ts';

/**
 * A Loom program's entry point: its package's `bin`, found where Node finds the package. Run
 * with `--conditions=loom-source`, as the bin's shebang does, so a checkout needs no build.
 */
export function daemonEntry(pkg: string, bin: string): string {
  const dir = packageDir(pkg);
  let entry: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dir ?? '', 'package.json'), 'utf8')) as {
      bin?: Record<string, string>;
    };
    entry = manifest.bin?.[bin];
  } catch {}
  if (dir === undefined || entry === undefined) {
    throw new LabError(
      'LOOM_LAB_BINARIES_MISSING',
      `cannot find ${bin}: ${dir === undefined ? `the package ${pkg} is not installed` : `${pkg} has no bin ${bin}`}`,
    );
  }
  return join(dir, entry);
}
