import type { IncomingMessage } from 'node:http';
import { WatchDecodeError } from './kube-errors.ts';
import type { KubeObject, KubeStatus } from './kube-object.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export type WatchEvent<T extends KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: KubeStatus };

const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Decodes a watch response (newline-delimited JSON events). Unlike client-node's Watch,
 * which drops lines it cannot parse, a bad line throws: skipping an event would leave the
 * cache silently wrong, so the informer must re-watch from the last good resourceVersion.
 * A stream cut before its final chunk throws too; only a clean end returns.
 */
export async function* readWatchEvents<T extends KubeObject>(
  res: IncomingMessage,
  path: string,
): AsyncGenerator<WatchEvent<T>> {
  let pending = '';
  for await (const chunk of res) {
    pending += (chunk as Buffer).toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line.length > 0) yield decodeEvent<T>(line, path);
      newline = pending.indexOf('\n');
    }
  }
  if (!res.complete) throw new Error(`watch stream on ${path} ended before its last chunk`);
  if (pending.trim().length > 0) yield decodeEvent<T>(pending.trim(), path);
}

function decodeEvent<T extends KubeObject>(line: string, path: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new WatchDecodeError(path, line, err);
  }
  const event = parsed as { type?: unknown; object?: unknown };
  if (typeof event?.type !== 'string' || !EVENT_TYPES.has(event.type)) {
    throw new WatchDecodeError(path, line);
  }
  if (typeof event.object !== 'object' || event.object === null) {
    throw new WatchDecodeError(path, line);
  }
  return event as WatchEvent<T>;
}
