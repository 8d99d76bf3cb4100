import { findExecutable } from '@loom-net/core/kernel';
import { CNI_ERROR, CniError } from '../types/cni-error.ts';

/** pkg/invoke FindInPath: the first executable named `type` in `dirs`, in their order. */
export function findInPath(type: string, dirs: readonly string[]): string | undefined {
  return findExecutable(type, dirs);
}

/**
 * {@link findInPath}, or code 4 (the plugin's search path is part of the environment):
 * `cannot find <label> in CNI_PATH /opt/cni/bin`.
 */
export function requireInPath(
  type: string,
  dirs: readonly string[],
  label = `plugin ${type}`,
  find: typeof findInPath = findInPath,
): string {
  if (dirs.length === 0) {
    throw new CniError(CNI_ERROR.invalidEnvironment, `CNI_PATH is not set: cannot find ${label}`);
  }
  const file = find(type, dirs);
  if (file === undefined) {
    throw new CniError(
      CNI_ERROR.invalidEnvironment,
      `cannot find ${label} in CNI_PATH ${dirs.join(':')}`,
    );
  }
  return file;
}
