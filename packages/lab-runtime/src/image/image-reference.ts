import { CriError } from '../cri/cri-error.ts';

/** A container image reference normalized as containerd does (docker/distribution rules). */
export interface ImageReference {
  /** `registry.k8s.io/e2e-test-images/agnhost`, `docker.io/library/busybox`. */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function invalid(input: string, why: string): CriError {
  return new CriError('INVALID_ARGUMENT', `invalid image reference "${input}": ${why}`);
}

function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // The first component is a registry only if it looks like a host: `localhost`, a dot, a port.
  if (
    first !== '' &&
    (first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase())
  ) {
    return [first, name.slice(slash + 1)];
  }
  return [DEFAULT_DOMAIN, name];
}

/**
 * `busybox` → docker.io/library/busybox:latest; `registry.k8s.io/pause:3.10` stays; a digest
 * (`…@sha256:…`) is kept and then no `latest` tag is implied.
 */
export function parseImageReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'empty');
  const at = input.indexOf('@');
  const digest = at === -1 ? undefined : input.slice(at + 1);
  const named = at === -1 ? input : input.slice(0, at);
  if (digest !== undefined && !DIGEST.test(digest)) throw invalid(input, 'malformed digest');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const name = hasTag ? named.slice(0, colon) : named;
  if (tag !== undefined && !TAG.test(tag)) throw invalid(input, `malformed tag "${tag}"`);
  const [domain, rawPath] = splitDomain(name);
  const path = domain === DEFAULT_DOMAIN && !rawPath.includes('/') ? `library/${rawPath}` : rawPath;
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) throw invalid(input, `malformed path component "${component}"`);
  }
  return {
    repository: `${domain}/${path}`,
    tag: tag ?? (digest === undefined ? 'latest' : undefined),
    digest,
  };
}

/** The canonical string: `repository:tag`, `repository@digest` or both. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.repository}${tag}${digest}`;
}

export function isImageId(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}
