import { existsSync } from 'node:fs';
import {
  CNI_ERROR,
  type CniAttachment,
  CniError,
  type CniIpConfig,
  type CniResult,
} from '@loom-net/cni-spec';
import {
  type AllocationRange,
  formatAllocationRange,
  formatCidr,
  formatIp,
  type IpAddress,
  type IpFamily,
  parseIp,
  tryParseIp,
} from '@loom-net/core/net';
import {
  type AllocationRow,
  type AllocationTransaction,
  openAllocationStore,
  storePath,
} from './allocation-store.ts';
import type { IpamConfig, RangeSet } from './ipam-config.ts';
import { freeCount, inRange, isAllocatable, nextFreeAddress } from './next-free-address.ts';
import { readResolvConf } from './resolv-conf.ts';

/**
 * ADD: one address from each range set for the attachment, or the ones it already holds
 * (an ADD repeated after a killed runtime gets the same addresses, not new ones).
 */
export function allocateAddresses(config: IpamConfig, attachment: CniAttachment): CniResult {
  return allocate(config, attachment).result;
}

export interface Allocation {
  result: CniResult;
  /** Whether the attachment held all these addresses before (nothing new was allocated). */
  reused: boolean;
}

/** ADD, also telling whether anything was allocated: undoing a reused allocation would free a live pod's addresses. */
export function allocate(config: IpamConfig, attachment: CniAttachment): Allocation {
  const store = openAllocationStore(config.dataDir, config.network);
  let ips: CniIpConfig[];
  let held: AllocationRow[] = [];
  try {
    ips = store.write((tx) => {
      held = tx.byAttachment(attachment);
      const used = usedByFamily(tx.all());
      return config.rangeSets.map((_, i) => allocateFromSet(tx, config, i, attachment, held, used));
    });
  } finally {
    store.close();
  }
  const dns = config.resolvConf === undefined ? undefined : readResolvConf(config.resolvConf);
  const result = {
    ips,
    ...(config.routes.length > 0 ? { routes: [...config.routes] } : {}),
    ...(dns ? { dns } : {}),
  };
  const reused = ips.every((ip) => held.some((row) => row.address === ip.address.split('/')[0]));
  return { result, reused };
}

function allocateFromSet(
  tx: AllocationTransaction,
  config: IpamConfig,
  setIndex: number,
  attachment: CniAttachment,
  held: readonly AllocationRow[],
  used: Map<IpFamily, Set<bigint>>,
): CniIpConfig {
  const set = config.rangeSets[setIndex]!;
  const family = set[0]!.cidr.family;
  const familyUsed = used.get(family) ?? new Set<bigint>();
  used.set(family, familyUsed);
  for (const row of held) {
    const ip = tryParseIp(row.address);
    const range = ip && set.find((r) => isAllocatable(r, ip));
    if (ip && range) return ipConfig(range, ip);
  }
  const requested = config.requestedIps.find((ip) => set.some((r) => inRange(r, ip)));
  const ip = requested
    ? checkRequested(set, requested, familyUsed)
    : nextInSet(tx, config, setIndex, familyUsed);
  const range = set.find((r) => inRange(r, ip))!;
  tx.insert({
    address: formatIp(ip),
    containerId: attachment.containerId,
    ifname: attachment.ifname,
  });
  tx.setCursor(rangeSetKey(set), formatIp(ip));
  familyUsed.add(ip.value);
  return ipConfig(range, ip);
}

function nextInSet(
  tx: AllocationTransaction,
  config: IpamConfig,
  setIndex: number,
  used: ReadonlySet<bigint>,
): IpAddress {
  const set = config.rangeSets[setIndex]!;
  const cursor = tx.cursor(rangeSetKey(set));
  const ip = nextFreeAddress(set, used, cursor === undefined ? undefined : tryParseIp(cursor));
  if (ip === undefined) {
    const size = set.reduce((sum, range) => sum + range.size - range.reserved.length, 0);
    throw new CniError(
      CNI_ERROR.rangeExhausted,
      `no free address in range set ${setIndex} (${describeSet(set)}) of network ${config.network}: all ${size} allocatable addresses are in use`,
      { details: 'release addresses with DEL or GC, or widen the range' },
    );
  }
  return ip;
}

function checkRequested(set: RangeSet, ip: IpAddress, used: ReadonlySet<bigint>): IpAddress {
  if (!set.some((range) => isAllocatable(range, ip))) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `requested address ${formatIp(ip)} is reserved in ${describeSet(set)}`,
    );
  }
  if (used.has(ip.value)) {
    throw new CniError(
      CNI_ERROR.addressInUse,
      `requested address ${formatIp(ip)} is already allocated to another attachment`,
    );
  }
  return ip;
}

function ipConfig(range: AllocationRange, ip: IpAddress): CniIpConfig {
  const address = `${formatIp(ip)}/${range.cidr.prefix}`;
  return range.gateway === undefined ? { address } : { address, gateway: formatIp(range.gateway) };
}

function usedByFamily(rows: readonly AllocationRow[]): Map<IpFamily, Set<bigint>> {
  const used = new Map<IpFamily, Set<bigint>>([
    [4, new Set()],
    [6, new Set()],
  ]);
  for (const row of rows) {
    const ip = tryParseIp(row.address);
    if (ip) used.get(ip.family)!.add(ip.value);
  }
  return used;
}

/** Names a range set for its round-robin cursor; a changed config starts a fresh cursor. */
export function rangeSetKey(set: RangeSet): string {
  return set.map((range) => `${formatCidr(range.cidr)}[${formatAllocationRange(range)}]`).join(',');
}

function describeSet(set: RangeSet): string {
  return set.map((range) => `${formatCidr(range.cidr)} ${formatAllocationRange(range)}`).join(', ');
}

/** DEL: frees what the attachment holds; nothing held (or no database yet) is fine. */
export function releaseAddresses(config: IpamConfig, attachment: CniAttachment): AllocationRow[] {
  if (!existsSync(storePath(config.dataDir, config.network))) return [];
  const store = openAllocationStore(config.dataDir, config.network);
  try {
    return store.write((tx) => {
      const held = tx.byAttachment(attachment);
      for (const row of held) tx.remove(row.address);
      return held;
    });
  } finally {
    store.close();
  }
}

/** CHECK: the attachment must hold an address in every range set, and those of `expected`. */
export function checkAddresses(
  config: IpamConfig,
  attachment: CniAttachment,
  expected: readonly string[],
): void {
  const store = openAllocationStore(config.dataDir, config.network);
  let held: AllocationRow[];
  try {
    held = store.read((tx) => tx.byAttachment(attachment));
  } finally {
    store.close();
  }
  const heldIps = held.map((row) => parseIp(row.address));
  const who = `${attachment.containerId}/${attachment.ifname}`;
  config.rangeSets.forEach((set, i) => {
    if (!heldIps.some((ip) => set.some((range) => inRange(range, ip)))) {
      throw new CniError(
        CNI_ERROR.checkFailed,
        `attachment ${who} holds no address in range set ${i} (${describeSet(set)}) of network ${config.network}`,
      );
    }
  });
  for (const text of expected) {
    const ip = parseIp(text);
    const ours = config.rangeSets.some((set) => set.some((range) => inRange(range, ip)));
    if (ours && !heldIps.some((h) => h.value === ip.value && h.family === ip.family)) {
      throw new CniError(
        CNI_ERROR.checkFailed,
        `address ${text} of attachment ${who} is not allocated to it in network ${config.network}`,
      );
    }
  }
}

/** GC: frees every allocation whose attachment is not in `valid`; returns what was freed. */
export function releaseStaleAddresses(
  config: IpamConfig,
  valid: readonly CniAttachment[],
): AllocationRow[] {
  if (!existsSync(storePath(config.dataDir, config.network))) return [];
  const keep = new Set(valid.map((a) => attachmentKey(a.containerId, a.ifname)));
  const store = openAllocationStore(config.dataDir, config.network);
  try {
    return store.write((tx) => {
      const stale = tx.all().filter((row) => !keep.has(attachmentKey(row.containerId, row.ifname)));
      for (const row of stale) tx.remove(row.address);
      return stale;
    });
  } finally {
    store.close();
  }
}

function attachmentKey(containerId: string, ifname: string): string {
  return `${containerId}\u0000${ifname}`;
}

/** STATUS: the database opens and every range set still has a free address (else 50). */
export function checkAllocatorStatus(config: IpamConfig): void {
  let rows: AllocationRow[];
  try {
    const store = openAllocationStore(config.dataDir, config.network);
    try {
      rows = store.read((tx) => tx.all());
    } finally {
      store.close();
    }
  } catch (error) {
    throw new CniError(
      CNI_ERROR.notAvailable,
      `loom-ipam cannot serve ADD: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const used = usedByFamily(rows);
  config.rangeSets.forEach((set, i) => {
    if (freeCount(set, used.get(set[0]!.cidr.family)!) <= 0) {
      throw new CniError(
        CNI_ERROR.notAvailable,
        `loom-ipam cannot serve ADD: range set ${i} (${describeSet(set)}) of network ${config.network} is exhausted`,
      );
    }
  });
}
