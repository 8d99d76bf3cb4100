import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core/daemon';
import type { CniResult } from '../types/cni-result.ts';
import { readResult, writeResult } from '../types/result-versions.ts';
import { isVersion } from '../version/cni-version.ts';
import type { CniNetworkList } from './network-config.ts';
import type { CapabilityArgs, CniRuntimeConf } from './runtime-conf.ts';

/**
 * libcni's result cache entry (`cachedInfo`, kind cniCacheV1), byte-compatible so that other
 * CNI tools reading `<cacheDir>/results/<net>-<id>-<if>` understand it. `config` is base64, as
 * Go marshals a []byte; `result` carries its own `cniVersion`.
 */
export interface CachedAttachment {
  kind: 'cniCacheV1';
  containerId: string;
  config: string;
  ifName: string;
  networkName: string;
  netns?: string;
  cniArgs?: [string, string][];
  capabilityArgs?: CapabilityArgs;
  result?: Record<string, unknown>;
}

export function cacheFilePath(
  cacheDir: string,
  network: string,
  id: string,
  ifName: string,
): string {
  return join(cacheDir, 'results', `${network}-${id}-${ifName}`);
}

/** libcni cacheAdd: the attachment, its list's bytes and its result (in the list's version). */
export function cacheAttachment(
  cacheDir: string,
  list: CniNetworkList,
  rt: CniRuntimeConf,
  result: CniResult,
): void {
  writeCachedAttachment(cacheDir, {
    kind: 'cniCacheV1',
    containerId: rt.containerId,
    config: Buffer.from(list.bytes).toString('base64'),
    ifName: rt.ifName,
    networkName: list.name,
    netns: rt.netns,
    cniArgs: rt.args,
    capabilityArgs: rt.capabilityArgs,
    result: writeResult(result, list.cniVersion),
  });
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

/**
 * The entry's result (libcni getCachedResult): read in its own version, else the list's; an
 * entry without one, or with one that cannot be read, has none.
 */
export function cachedResult(entry: CachedAttachment, listVersion: string): CniResult | undefined {
  if (entry.result === undefined) return undefined;
  try {
    return readResult(entry.result, listVersion, `the cached result of ${entry.containerId}`);
  } catch {
    return undefined;
  }
}

/** The network list an attachment was made with, from the bytes its cache entry keeps. */
export function cachedNetworkList(entry: CachedAttachment): CniNetworkList | undefined {
  try {
    const bytes = Buffer.from(entry.config, 'base64').toString('utf8');
    const raw = JSON.parse(bytes) as Record<string, unknown>;
    const cniVersion = raw.cniVersion ?? '0.1.0';
    if (!Array.isArray(raw.plugins) || !isVersion(cniVersion)) return undefined;
    return {
      name: typeof raw.name === 'string' ? raw.name : entry.networkName,
      cniVersion,
      disableCheck: raw.disableCheck === true,
      disableGC: raw.disableGC === true,
      plugins: raw.plugins as CniNetworkList['plugins'],
      bytes,
      file: '(result cache)',
    };
  } catch {
    return undefined;
  }
}
