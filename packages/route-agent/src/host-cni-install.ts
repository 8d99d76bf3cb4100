import { join } from 'node:path';
import { PLUGIN_PACKAGES } from './cni-install.ts';
import {
  InstallFileError,
  type InstallFileOptions,
  type InstallFileOutcome,
  installFile,
} from './install-file.ts';

/** The name Node is installed under in the host's CNI bin dir. */
export const HOST_NODE_NAME = 'loom-node';

/**
 * The flag the plugins' `#!` line passes to Node, as the plugins' single executables start
 * with it: V8 then takes its start-up snapshot as built instead of re-hashing it, which made a
 * VERSION round trip ~2–5 ms faster (docs/image.md). Linux hands everything after the
 * interpreter to it as one argument, so there is room for one flag only.
 */
export const PLUGIN_NODE_FLAG = '--no-rehash-snapshot';

/**
 * Linux reads the first 256 bytes of a script (BINPRM_BUF_SIZE): a longer `#!` line gets its
 * interpreter refused or, worse, its flag cut short into one Node does not know.
 */
const MAX_INTERPRETER_LINE = 255;

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

/** `#!<cniBinDir>/loom-node --no-rehash-snapshot`: the plugins' first line on the host. */
export function pluginInterpreterLine(cniBinDir: string): string {
  const line = `#!${join(cniBinDir, HOST_NODE_NAME)} ${PLUGIN_NODE_FLAG}`;
  if (Buffer.byteLength(line) > MAX_INTERPRETER_LINE)
    throw new InstallFileError(
      `cannot install the CNI plugins: their first line "${line}" is ${Buffer.byteLength(line)} bytes, and Linux reads only ${MAX_INTERPRETER_LINE} (choose a shorter --cni-bin-dir)`,
      'failed',
    );
  return line;
}

/**
 * What the init container installs: Node as `loom-node` first, then each plugin bundle with
 * its `#!/usr/local/bin/node` line replaced by {@link pluginInterpreterLine}. Node comes first
 * so that a runtime never finds a plugin whose interpreter is missing.
 */
export function hostCniFiles(options: HostCniInstallOptions): InstallFileOptions[] {
  const interpreter = pluginInterpreterLine(options.cniBinDir);
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
