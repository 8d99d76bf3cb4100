import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { DEPLOY_DIR } from '../../../../deploy/render.ts';

/** The fields of a rendered object the deploy tests read; the rest stays `unknown`. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Every object of a committed rendered file (`install.yaml`, …). */
export function renderedObjects(file: string): ManifestObject[] {
  return loadAll(readFileSync(join(DEPLOY_DIR, file), 'utf8')) as ManifestObject[];
}

export function objectOf(objects: readonly ManifestObject[], kind: string, name: string) {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
}
