/** Where a resource lives in the API: core resources have no group (`/api/v1/...`),
 * everything else, CRDs included, lives under `/apis/{group}/{version}/...`. */
export interface ResourceRef {
  group?: string;
  version: string;
  /** The lower-case plural in the URL: `nodes`, `endpointslices`. */
  plural: string;
  namespace?: string;
  name?: string;
}

/** Builds a collection or object path, e.g. `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`. */
export function resourcePath(ref: ResourceRef): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
  return `${root}${scope}/${ref.plural}${name}`;
}
