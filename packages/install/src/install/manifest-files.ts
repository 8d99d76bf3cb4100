import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { ManifestObject } from '../cluster/manifest-object.ts';

/** The rendered files of deploy/ (shared contract): the base install, and the allocator. */
export const INSTALL_FILE = 'install.yaml';
export const ALLOCATOR_FILE = 'install-pod-cidr-allocator.yaml';

/** The manifests are missing or not Kubernetes objects; the message says which file and why. */
export class ManifestError extends Error {
  readonly code = 'LOOM_MANIFEST';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

/**
 * The directory holding install.yaml: `--manifests` when given; else `deploy/` of the checkout
 * this CLI runs from (found walking up from this file, so `npx loom` in a clone works), or a
 * `deploy/` shipped inside the install package.
 */
export function findManifestDir(
  override?: string,
  from = dirname(fileURLToPath(import.meta.url)),
): string {
  if (override !== undefined) {
    const dir = resolve(override);
    if (!existsSync(join(dir, INSTALL_FILE))) {
      throw new ManifestError(`--manifests ${override}: no ${INSTALL_FILE} in ${dir}`);
    }
    return dir;
  }
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy');
    if (existsSync(join(candidate, INSTALL_FILE))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new ManifestError(
    `cannot find deploy/${INSTALL_FILE} above ${from}: pass --manifests DIR (a directory holding ${INSTALL_FILE})`,
  );
}

/** Every object of a multi-document YAML file (`List`s expanded, empty documents skipped). */
export function parseManifests(text: string, source: string): ManifestObject[] {
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch (error) {
    throw new ManifestError(`${source} is not YAML: ${(error as Error).message}`, { cause: error });
  }
  const objects: ManifestObject[] = [];
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return;
    const where = `${source} document ${index + 1}`;
    const items = isList(document) ? document.items : [document];
    for (const item of items) objects.push(checkObject(item, where));
  });
  return objects;
}

export function readManifestFile(dir: string, file: string): ManifestObject[] {
  const path = join(dir, file);
  if (!existsSync(path)) throw new ManifestError(`${path} does not exist`);
  return parseManifests(readFileSync(path, 'utf8'), path);
}

function isList(document: unknown): document is { items: unknown[] } {
  const o = document as { kind?: unknown; items?: unknown };
  return (
    typeof o === 'object' &&
    typeof o.kind === 'string' &&
    o.kind.endsWith('List') &&
    Array.isArray(o.items)
  );
}

function checkObject(value: unknown, where: string): ManifestObject {
  const o = value as Partial<ManifestObject> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new ManifestError(`${where} is not an object`);
  }
  const missing = [
    typeof o.apiVersion === 'string' ? '' : 'apiVersion',
    typeof o.kind === 'string' ? '' : 'kind',
    typeof o.metadata?.name === 'string' ? '' : 'metadata.name',
  ].filter(Boolean);
  if (missing.length > 0) throw new ManifestError(`${where} has no ${missing.join(', ')}`);
  return o as ManifestObject;
}
