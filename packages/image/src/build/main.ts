#!/usr/bin/env -S node --conditions=loom-source
// `npm run image` / `loom-image`: builds dist/image/loom.oci.tar and dist/image/loom.json.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage } from './build-image.ts';
import { ROOTFS_POLICIES, type RootfsPolicy } from './rootfs-policy.ts';

const USAGE = `usage: loom-image [--mirror URL] [--rootfs latest|cached|offline] [--offline] [--output-dir DIR]

Builds Loom's OCI image without Docker, three layers: a Debian root filesystem (mmdebstrap),
Node 24, and one bundle per Loom command, written to <output-dir>/loom.oci.tar (default
dist/image) with loom.json beside it. The root filesystem and Node layers are cached under
$LOOM_CACHE_DIR/image (default ~/.cache/loom/image); an archive that already holds the image
is kept as it is.

  --mirror URL       Debian mirror (default: the one in this machine's apt sources)
  --rootfs POLICY    latest: ask the mirror for its state, build when it is new (default);
                     cached: the newest cached root filesystem, ask only when there is none;
                     offline: the newest cached one, never ask the mirror
  --offline          the same as --rootfs offline
  --output-dir DIR   where to write loom.oci.tar and loom.json
  SOURCE_DATE_EPOCH  the image's timestamp (default: the time of the HEAD commit)
`;

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..');

interface Flags {
  mirror?: string;
  rootfs?: string;
  offline?: boolean;
  'output-dir'?: string;
  help?: boolean;
}

function rootfsPolicy(values: Flags): RootfsPolicy {
  if (values.offline) return 'offline';
  const policy = values.rootfs ?? 'latest';
  if (!(ROOTFS_POLICIES as readonly string[]).includes(policy))
    throw new TypeError(`--rootfs ${policy}: expected one of ${ROOTFS_POLICIES.join(', ')}`);
  return policy as RootfsPolicy;
}

async function main(): Promise<number> {
  let values: Flags;
  let rootfs: RootfsPolicy;
  try {
    ({ values } = parseArgs({
      options: {
        mirror: { type: 'string' },
        rootfs: { type: 'string' },
        offline: { type: 'boolean' },
        'output-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
    rootfs = rootfsPolicy(values);
  } catch (error) {
    process.stderr.write(`loom-image: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const built = await buildImage({
    repoRoot,
    rootfs,
    reuseArchive: true,
    ...(values.mirror ? { mirror: values.mirror.replace(/\/$/, '') } : {}),
    ...(values['output-dir'] ? { outputDir: resolve(values['output-dir']) } : {}),
    onProgress: (line) => process.stderr.write(`loom-image: ${line}\n`),
  });
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const { description: image, rootfs: base, node, loom } = built;
  const from = (made: boolean) => (made ? 'made now' : 'from the cache');
  process.stdout.write(
    [
      `${image.reference}@${image.digest}`,
      `  archive       ${image.archive} (${built.wroteArchive ? 'written' : 'unchanged, kept'})`,
      `  compressed    ${mb(image.compressedBytes)}`,
      `  uncompressed  ${mb(image.uncompressedBytes)}`,
      `  layer 1       root filesystem ${mb(base.size)}, ${base.built ? 'built by mmdebstrap' : 'from the cache'}`,
      `  layer 2       Node ${node.nodeVersion} ${mb(node.size)}, ${from(node.built)}`,
      `  layer 3       Loom bundles ${mb(loom.size)}`,
      `  took          ${((performance.now() - started) / 1000).toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`loom-image: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
