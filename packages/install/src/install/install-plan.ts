import { createHash } from 'node:crypto';
import { applyRank, resourceOf, UnknownKindError } from '../cluster/api-resources.ts';
import {
  COMPONENT_LABEL,
  componentOf,
  describeObject,
  LOOM_CONFIG,
  LOOM_NAMESPACE,
  type ManifestObject,
} from '../cluster/manifest-object.ts';

/** The repository of Loom's image (shared contract); `--image` replaces references to it. */
export const LOOM_IMAGE_REPOSITORY = 'ghcr.io/loom-net/loom';

/** Components every install needs whatever `--components` says (the namespace, the config). */
export const BASE_COMPONENT = 'base';

/** The loom-config keys `loom install` owns (shared contract). */
export interface LoomConfigValues {
  readonly 'cluster-cidr': string;
  readonly 'service-cidr': string;
  readonly 'node-cidr-mask-size': string;
  /** Absent: the pods use KUBERNETES_SERVICE_HOST/PORT. */
  readonly 'api-server-host'?: string;
  readonly 'api-server-port'?: string;
}

export class InstallPlanError extends Error {
  readonly code = 'LOOM_INSTALL_PLAN';
  constructor(message: string) {
    super(message);
    this.name = 'InstallPlanError';
  }
}

/** Components found in the manifests, in first-seen order (objects without the label are base). */
export function componentsIn(objects: readonly ManifestObject[]): string[] {
  return [...new Set(objects.map((o) => componentOf(o) ?? BASE_COMPONENT))];
}

/**
 * Keeps the objects of the chosen components (and always the base). A component that no
 * object carries is a usage mistake: the error lists the ones there are.
 */
export function selectComponents(
  objects: readonly ManifestObject[],
  components: readonly string[] | undefined,
): ManifestObject[] {
  if (components === undefined) return [...objects];
  const known = componentsIn(objects);
  const unknown = components.filter((c) => !known.includes(c));
  if (unknown.length > 0) {
    throw new InstallPlanError(
      `unknown component(s) ${unknown.join(', ')}: the manifests hold ${known.join(', ')} (${COMPONENT_LABEL})`,
    );
  }
  const wanted = new Set([BASE_COMPONENT, ...components]);
  return objects.filter((o) => wanted.has(componentOf(o) ?? BASE_COMPONENT));
}

/** `ghcr.io/loom-net/loom` for `ghcr.io/loom-net/loom:0.1.0@sha256:…`; a registry port stays. */
export function imageRepository(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export interface Substitution {
  readonly config: LoomConfigValues;
  /** `--image`: replaces every container image of Loom's repository. */
  readonly image?: string;
}

/**
 * The pod-template annotation holding loom-config's hash: the daemons read the config at start
 * (env), so a changed config must restart them, which a changed template does.
 */
export const CONFIG_HASH_ANNOTATION = 'loom.dev/config-hash';

/**
 * The objects to apply: copies of `objects` with loom-config's data set to the discovered
 * values, its hash on every pod template and, with `--image`, Loom's image replaced in every
 * pod template. Fails when the manifests have no loom-config, since Loom's daemons would then
 * run on defaults silently.
 */
export function substitute(
  objects: readonly ManifestObject[],
  substitution: Substitution,
): ManifestObject[] {
  const copies = objects.map((o) => structuredClone(o));
  const config = copies.find(
    (o) =>
      o.kind === 'ConfigMap' &&
      o.metadata.name === LOOM_CONFIG &&
      o.metadata.namespace === LOOM_NAMESPACE,
  );
  if (!config) {
    throw new InstallPlanError(
      `the manifests have no ConfigMap ${LOOM_NAMESPACE}/${LOOM_CONFIG} to fill in`,
    );
  }
  const data = { ...((config.data as Record<string, string> | undefined) ?? {}) };
  delete data['api-server-host'];
  delete data['api-server-port'];
  config.data = { ...data, ...substitution.config };
  const hash = configHash(config.data as Record<string, string>);
  for (const object of copies) {
    const template = (object as PodTemplateHolder).spec?.template;
    if (template === undefined) continue;
    template.metadata = {
      ...template.metadata,
      annotations: { ...template.metadata?.annotations, [CONFIG_HASH_ANNOTATION]: hash },
    };
    if (substitution.image !== undefined) replaceImages(object, substitution.image);
  }
  return copies;
}

/** sha256 of the config's entries in key order: the same config always gives the same hash. */
function configHash(data: Record<string, string>): string {
  const entries = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

interface PodTemplateHolder {
  spec?: {
    template?: {
      metadata?: { annotations?: Record<string, string> };
      spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
    };
  };
}

function replaceImages(object: ManifestObject, image: string): void {
  const pod = (object as PodTemplateHolder).spec?.template?.spec;
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    if (container.image && imageRepository(container.image) === LOOM_IMAGE_REPOSITORY) {
      container.image = image;
    }
  }
}

/**
 * Sorts for apply: Namespace, CRDs, PriorityClasses, ServiceAccounts and RBAC, ConfigMaps,
 * Services, then workloads (api-resources.ts); the manifests' order within a kind. A kind
 * Loom cannot map to a URL fails here, before anything is applied.
 */
export function orderForApply(objects: readonly ManifestObject[]): ManifestObject[] {
  for (const object of objects) {
    if (!resourceOf(object.kind)) {
      throw new UnknownKindError(object.apiVersion, object.kind, describeObject(object));
    }
  }
  return objects
    .map((object, index) => ({ object, index }))
    .sort((a, b) => applyRank(a.object.kind) - applyRank(b.object.kind) || a.index - b.index)
    .map(({ object }) => object);
}
