import type { KubeClient } from './kube-client.ts';
import { isKubeApiError } from './kube-errors.ts';
import type { KubeObject } from './kube-object.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size (`limit`); default 500 as client-go's pager. */
  pageSize?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ListResult<T extends KubeObject> {
  items: T[];
  /** The collection's resourceVersion: watch from here to see every later change. */
  resourceVersion: string;
}

interface ListPage<T> {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/**
 * Lists a whole collection page by page (`limit` + `continue`). Every page is served from the
 * snapshot of the first one, so the result is consistent. A continue token can expire (410)
 * when the snapshot is compacted during a long list; then the list starts over, once.
 */
export async function listAll<T extends KubeObject>(
  client: KubeClient,
  path: string,
  options: ListOptions = {},
): Promise<ListResult<T>> {
  try {
    return await listPages<T>(client, path, options);
  } catch (err) {
    if (!isKubeApiError(err, 410)) throw err;
    return listPages<T>(client, path, options);
  }
}

async function listPages<T extends KubeObject>(
  client: KubeClient,
  path: string,
  options: ListOptions,
): Promise<ListResult<T>> {
  const items: T[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.request<ListPage<T>>({
      path,
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.pageSize ?? 500,
        continue: token,
      },
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    for (const item of page.items ?? []) items.push(withTypeMeta(item, page));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}

/** The API server leaves kind/apiVersion out of list items but not out of watch events;
 * filling them in keeps cached objects alike whichever way they arrived. */
function withTypeMeta<T extends KubeObject>(item: T, page: ListPage<T>): T {
  if (item.kind !== undefined || !page.kind?.endsWith('List')) return item;
  return { apiVersion: page.apiVersion, kind: page.kind.slice(0, -'List'.length), ...item };
}
