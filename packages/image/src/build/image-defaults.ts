// What every Loom image is called and how a container of it starts when a manifest says
// nothing (manifests always give `command`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerDefaults } from '../oci/image-config.ts';
import { IMAGE_BIN_DIR } from './bundles.ts';

export const IMAGE_REPOSITORY = 'ghcr.io/loom-net/loom';

/** `ghcr.io/loom-net/loom:<version>`, the version being the `loom` command's (packages/cli). */
export function imageReference(repoRoot: string): string {
  const cli = JSON.parse(
    readFileSync(join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return `${IMAGE_REPOSITORY}:${cli.version}`;
}

export const IMAGE_DEFAULTS: ContainerDefaults = {
  Env: [`PATH=${IMAGE_BIN_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
  Cmd: ['loom-route-agent', '--help'],
  WorkingDir: '/',
};
