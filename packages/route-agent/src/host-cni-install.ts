import { join } from 'node:path';
import { PLUGIN_PACKAGES } from './cni-install.ts';
import { type InstallFileOptions, type InstallFileOutcome, installFile } from './install-file.ts';

/** The name Node is installed under in the host's CNI bin dir. */
export const HOST_NODE_NAME = 'loom-node';

export interface HostCniInstallOptions {
  /** Where the host's CNI bin dir is mounted here (`/host/opt/cni/bin`): files go there. */
  readonly hostBinDir: string;
  /** The same directory as the host's runtime sees it (`/opt/cni/bin`): the `#!` lines name it. */
  readonly cniBinDir: string;
  /** The Node executable (`/usr/local/bin/node` in the image). */
  readonly node: string;
  /** The directory holding the `loom-cni` and `loom-ipam` bundles (`/opt/loom/bin`). */
  readonly bundleDir: string;
}

/**
 * What the init container installs: Node as `loom-node` first, then each plugin bundle with
 * its `#!/usr/local/bin/node` line pointing at that `loom-node`. Node comes first so that a
 * runtime never finds a plugin whose interpreter is missing.
 */
export function hostCniFiles(options: HostCniInstallOptions): InstallFileOptions[] {
  const interpreter = `#!${join(options.cniBinDir, HOST_NODE_NAME)}`;
  return [
    { source: options.node, target: join(options.hostBinDir, HOST_NODE_NAME), mode: 0o755 },
    ...PLUGIN_PACKAGES.map(({ name }) => ({
      source: join(options.bundleDir, name),
      target: join(options.hostBinDir, name),
      mode: 0o755,
      firstLine: interpreter,
    })),
  ];
}

/** Installs {@link hostCniFiles} one after another; `onInstalled` hears each outcome. */
export async function installHostCni(
  options: HostCniInstallOptions,
  onInstalled: (outcome: InstallFileOutcome, source: string) => void = () => {},
): Promise<InstallFileOutcome[]> {
  const outcomes: InstallFileOutcome[] = [];
  for (const file of hostCniFiles(options)) {
    const outcome = await installFile(file);
    onInstalled(outcome, file.source);
    outcomes.push(outcome);
  }
  return outcomes;
}
