#!/usr/bin/env -S node --conditions=loom-source
// `npm run image` / `loom-image`: builds dist/image/loom.oci.tar and dist/image/loom.json.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage } from './build-image.ts';

const USAGE = `usage: loom-image [--mirror URL] [--offline] [--output-dir DIR]

Builds Loom's OCI image without Docker: a Debian root filesystem (mmdebstrap, cached under
$LOOM_CACHE_DIR/image or ~/.cache/loom/image) and a layer of Node 24 + one bundle per Loom
command, written to <output-dir>/loom.oci.tar (default dist/image) with loom.json beside it.

  --mirror URL       Debian mirror (default: the one in this machine's apt sources)
  --offline          use the newest cached root filesystem; do not ask the mirror
  --output-dir DIR   where to write loom.oci.tar and loom.json
  SOURCE_DATE_EPOCH  the image's timestamp (default: the time of the HEAD commit)
`;

const repoRoot = resolve(import.meta.dirname, '..', '..', '..', '..');

async function main(): Promise<number> {
  let values: { mirror?: string; offline?: boolean; 'output-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        mirror: { type: 'string' },
        offline: { type: 'boolean' },
        'output-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
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
    ...(values.mirror ? { mirror: values.mirror.replace(/\/$/, '') } : {}),
    ...(values.offline ? { offline: true } : {}),
    ...(values['output-dir'] ? { outputDir: resolve(values['output-dir']) } : {}),
    onProgress: (line) => process.stderr.write(`loom-image: ${line}\n`),
  });
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const { description: image, rootfs } = built;
  process.stdout.write(
    [
      `${image.reference}@${image.digest}`,
      `  archive       ${image.archive}`,
      `  compressed    ${mb(image.compressedBytes)} (root filesystem ${mb(rootfs.size)}, Loom ${mb(built.loom.size)})`,
      `  uncompressed  ${mb(image.uncompressedBytes)}`,
      `  root fs       ${rootfs.built ? 'built by mmdebstrap' : 'from the cache'}`,
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
