// What every Loom image is called and how a container of it starts when a manifest says
// nothing (manifests always give `command`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerDefaults } from '../oci/image-config.ts';
import { IMAGE_BIN_DIR } from './bundles.ts';

export const IMAGE_REPOSITORY = 'ghcr.io/loom-net/loom';

/**
 * `ghcr.io/loom-net/loom:<version>`, the version being the one `loom install` installs
 * (packages/install, whose DEFAULT_IMAGE names the same reference).
 */
export function imageReference(repoRoot: string): string {
  const install = JSON.parse(
    readFileSync(join(repoRoot, 'packages', 'install', 'package.json'), 'utf8'),
  ) as { version: string };
  return `${IMAGE_REPOSITORY}:${install.version}`;
}

export const IMAGE_DEFAULTS: ContainerDefaults = {
  Env: [`PATH=${IMAGE_BIN_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
  Cmd: ['loom-route-agent', '--help'],
  WorkingDir: '/',
};
