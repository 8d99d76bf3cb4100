import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import type { CniJson } from './cni-config.ts';

/**
 * libcni's result cache entry (`cachedInfo`, kind cniCacheV1), byte-compatible so that other
 * CNI tools reading `<cacheDir>/results/<net>-<id>-<if>` understand it. `config` is base64, as
 * Go marshals a []byte.
 */
export interface CachedAttachment {
  kind: 'cniCacheV1';
  containerId: string;
  config: string;
  ifName: string;
  networkName: string;
  netns?: string;
  cniArgs?: [string, string][];
  capabilityArgs?: CniJson;
  result?: CniJson;
}

export function cacheFilePath(
  cacheDir: string,
  network: string,
  id: string,
  ifName: string,
): string {
  return join(cacheDir, 'results', `${network}-${id}-${ifName}`);
}

export function writeCachedAttachment(cacheDir: string, entry: CachedAttachment): void {
  mkdirSync(join(cacheDir, 'results'), { recursive: true, mode: 0o700 });
  const path = cacheFilePath(cacheDir, entry.networkName, entry.containerId, entry.ifName);
  writeFileAtomicSync(path, JSON.stringify(entry), { mode: 0o600 });
}

function parseEntry(text: string): CachedAttachment | undefined {
  try {
    const entry = JSON.parse(text) as CachedAttachment;
    if (entry.kind !== 'cniCacheV1' || !entry.ifName || !entry.networkName) return undefined;
    return entry;
  } catch {
    return undefined;
  }
}

export function readCachedAttachment(
  cacheDir: string,
  network: string,
  id: string,
  ifName: string,
): CachedAttachment | undefined {
  try {
    return parseEntry(readFileSync(cacheFilePath(cacheDir, network, id, ifName), 'utf8'));
  } catch {
    return undefined;
  }
}

export function deleteCachedAttachment(cacheDir: string, entry: CachedAttachment): void {
  rmSync(cacheFilePath(cacheDir, entry.networkName, entry.containerId, entry.ifName), {
    force: true,
  });
}

/** libcni GetCachedAttachments: every valid entry, optionally of one container. */
export function listCachedAttachments(cacheDir: string, containerId?: string): CachedAttachment[] {
  let names: string[];
  try {
    names = readdirSync(join(cacheDir, 'results')).sort();
  } catch {
    return [];
  }
  const entries: CachedAttachment[] = [];
  for (const name of names) {
    // A write in progress: writeFileAtomicSync's temporary `.<name>.<random>.tmp`.
    if (name.endsWith('.tmp')) continue;
    if (containerId !== undefined && !name.includes(`-${containerId}-`)) continue;
    let text: string;
    try {
      text = readFileSync(join(cacheDir, 'results', name), 'utf8');
    } catch {
      continue;
    }
    const entry = parseEntry(text);
    if (entry === undefined) continue;
    if (containerId !== undefined && entry.containerId !== containerId) continue;
    entries.push(entry);
  }
  return entries;
}
