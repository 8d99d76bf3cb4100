import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@loom-net/core';
import { InstallFileError, installFile } from './install-file.ts';

/** A plugin executable to install: `name` in the CNI bin dir, copied from `source`. */
export interface PluginSource {
  readonly name: string;
  readonly source: string;
}

/** Writes the conflist when its content differs; returns whether it wrote. */
export async function installConflist(path: string, content: string): Promise<boolean> {
  const current = await readIfExists(path);
  if (current?.toString('utf8') === content) return false;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, content, { mode: 0o644 });
  return true;
}

/** The file's content, or undefined when it does not exist. */
async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface Installed {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Copies plugin executables into the CNI bin dir, atomically, when they differ (size, then a
 * streamed SHA-256: the lab's plugins are ~127 MB single executables, and reading them whole
 * into Buffers once cost the agent 274 MB of external memory). After the first comparison a
 * copy this installer checked is recognised by its inode, size and mtime and not read again.
 */
export function createPluginInstaller(binDir: string) {
  const installed = new Map<string, Installed>();
  return async function installPlugins(plugins: readonly PluginSource[]): Promise<string[]> {
    const copied: string[] = [];
    for (const plugin of plugins) {
      const target = join(binDir, plugin.name);
      const seen = installed.get(plugin.name);
      const now = await stat(target).catch(() => undefined);
      if (
        seen &&
        now &&
        now.ino === seen.ino &&
        now.size === seen.size &&
        now.mtimeMs === seen.mtimeMs
      ) {
        continue;
      }
      const outcome = await installFile({ source: plugin.source, target, mode: 0o755 }).catch(
        (error: unknown) => {
          if (error instanceof InstallFileError && error.reason === 'source-missing') {
            throw new Error(
              `cannot install CNI plugin ${plugin.name}: ${plugin.source} does not exist (build it, or point --cni-plugin-dir at a directory holding it)`,
            );
          }
          throw error;
        },
      );
      if (outcome.action === 'copied') copied.push(plugin.name);
      const after = await stat(target);
      installed.set(plugin.name, { size: after.size, mtimeMs: after.mtimeMs, ino: after.ino });
    }
    return copied;
  };
}

export const PLUGIN_PACKAGES = [
  { name: 'loom-cni', pkg: '@loom-net/cni' },
  { name: 'loom-ipam', pkg: '@loom-net/ipam' },
] as const;

/** Plugins taken from one directory (`--cni-plugin-dir`). */
export function pluginSourcesIn(dir: string): PluginSource[] {
  return PLUGIN_PACKAGES.map(({ name }) => ({ name, source: join(dir, name) }));
}

/**
 * The executables packaged with Loom: `dist/<name>` of @loom-net/cni and @loom-net/ipam,
 * found the way Node finds a dependency (node_modules up the tree from this file).
 */
export function packagedPluginSources(
  from = dirname(fileURLToPath(import.meta.url)),
): PluginSource[] {
  return PLUGIN_PACKAGES.map(({ name, pkg }) => {
    const root = findPackageDir(pkg, from);
    return {
      name,
      source: root ? join(root, 'dist', name) : join('node_modules', pkg, 'dist', name),
    };
  });
}

function findPackageDir(pkg: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
