import { CriError, notFound } from '../cri/cri-error.ts';

/** An id or a unique prefix of one (containerd's truncindex); undefined when none matches. */
export function lookupId<T>(
  records: Map<string, T>,
  idOrPrefix: string,
  kind: string,
): T | undefined {
  if (idOrPrefix === '') return undefined;
  const exact = records.get(idOrPrefix);
  if (exact !== undefined) return exact;
  const matches = [...records.keys()].filter((id) => id.startsWith(idOrPrefix));
  if (matches.length > 1) {
    throw new CriError('INVALID_ARGUMENT', `${kind} id prefix "${idOrPrefix}" is ambiguous`);
  }
  return matches[0] === undefined ? undefined : records.get(matches[0]);
}

/** Like lookupId, but NotFound when nothing matches (Status, Start, Exec on an unknown id). */
export function requireId<T>(records: Map<string, T>, idOrPrefix: string, kind: string): T {
  const record = lookupId(records, idOrPrefix, kind);
  if (record === undefined) throw notFound(kind, idOrPrefix);
  return record;
}

export function matchesLabels(
  labels: Record<string, string>,
  selector: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}
