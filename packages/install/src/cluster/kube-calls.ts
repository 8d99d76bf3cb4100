import type { KubeClient, KubeObject } from '@loom-net/core';
import { isKubeApiError, resourcePath } from '@loom-net/core';
import { objectPath, resourceOf, UnknownKindError } from './api-resources.ts';
import { describeObject, type ManifestObject } from './manifest-object.ts';

/** The field manager Loom applies as; `kubectl get -o yaml --show-managed-fields` shows it. */
export const FIELD_MANAGER = 'loom';

/** The object, or undefined on 404. */
export async function getOptional<T>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>({ path });
  } catch (error) {
    if (isKubeApiError(error, 404)) return undefined;
    throw error;
  }
}

/** A list's items (one page: Loom's objects and a cluster's nodes fit in the default). */
export async function listItems<T>(
  client: KubeClient,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<T[]> {
  const list = await client.request<{ items?: T[] }>({ path, query });
  return list.items ?? [];
}

/** As {@link listItems}, but a kind the server does not serve (404) lists as nothing. */
export async function listOptional<T>(
  client: KubeClient,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<T[] | undefined> {
  try {
    return await listItems<T>(client, path, query);
  } catch (error) {
    if (isKubeApiError(error, 404)) return undefined;
    throw error;
  }
}

export interface ApplyOptions {
  /** `server`: the API server validates and admits, and stores nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
}

/**
 * Server-side apply: the object is the whole intent of field manager `loom`, sent as JSON
 * (which is YAML) with `force`, so fields another manager took (a `kubectl edit`) come back.
 * Applying the same object twice changes nothing, not even the resourceVersion.
 */
export async function applyObject(
  client: KubeClient,
  object: ManifestObject,
  options: ApplyOptions = {},
): Promise<ManifestObject> {
  const resource = resourceOf(object.kind);
  if (!resource) throw new UnknownKindError(object.apiVersion, object.kind, describeObject(object));
  return client.request<ManifestObject>({
    method: 'PATCH',
    path: objectPath(resource, object.metadata.namespace, object.metadata.name),
    query: {
      fieldManager: FIELD_MANAGER,
      force: true,
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    },
    body: object,
    contentType: 'application/apply-patch+yaml',
  });
}

/**
 * Deletes an object; `Foreground` keeps it until its dependents (a DaemonSet's pods) are gone,
 * so waiting for its 404 waits for them. Returns false when it was already gone.
 */
export async function deleteObject(
  client: KubeClient,
  object: KubeObject,
  propagationPolicy: 'Foreground' | 'Background' = 'Background',
): Promise<boolean> {
  const resource = resourceOf(object.kind);
  if (!resource) throw new UnknownKindError(object.apiVersion, object.kind, describeObject(object));
  try {
    await client.request({
      method: 'DELETE',
      path: objectPath(resource, object.metadata?.namespace, object.metadata?.name),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
    });
    return true;
  } catch (error) {
    if (isKubeApiError(error, 404)) return false;
    throw error;
  }
}

export interface PodLogOptions {
  readonly container?: string;
  readonly tailLines?: number;
  /** The log of the container's previous run (the one that crashed). */
  readonly previous?: boolean;
}

/** The pod's log as text (the pods/log subresource is not JSON, so it is read as a stream). */
export async function readPodLog(
  client: KubeClient,
  namespace: string,
  pod: string,
  options: PodLogOptions = {},
): Promise<string> {
  const path = `${resourcePath({ version: 'v1', plural: 'pods', namespace, name: pod })}/log`;
  const response = await client.stream({
    path,
    query: {
      container: options.container,
      tailLines: options.tailLines,
      previous: options.previous,
    },
    signal: AbortSignal.timeout(10_000),
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
