import { type Cidr, cidrOf, containsCidr, firstAddress } from '@loom-net/core';

export interface Claim {
  readonly cidr: Cidr;
  readonly node: string;
}

/** Pod CIDRs already taken, with an overlap lookup that stays fast for thousands of nodes. */
export interface ClaimIndex {
  /** A claim that overlaps `cidr`, if any. */
  find(cidr: Cidr): Claim | undefined;
  add(claim: Claim): void;
}

/**
 * Claims grouped by family and prefix length. Clusters use one or two node mask sizes, so a
 * lookup is a map probe per size (the block of that size holding `cidr`); only claims longer
 * than `cidr` (rare: mixed mask sizes) are scanned.
 */
export function createClaimIndex(initial: readonly Claim[] = []): ClaimIndex {
  const groups = new Map<string, { family: 4 | 6; prefix: number; claims: Map<bigint, Claim> }>();
  const index: ClaimIndex = {
    find(cidr) {
      for (const group of groups.values()) {
        if (group.family !== cidr.family) continue;
        if (group.prefix <= cidr.prefix) {
          const found = group.claims.get(cidrOf(firstAddress(cidr), group.prefix).network);
          if (found) return found;
          continue;
        }
        for (const claim of group.claims.values()) if (containsCidr(cidr, claim.cidr)) return claim;
      }
      return undefined;
    },
    add(claim) {
      const key = `${claim.cidr.family}/${claim.cidr.prefix}`;
      let group = groups.get(key);
      if (!group) {
        group = { family: claim.cidr.family, prefix: claim.cidr.prefix, claims: new Map() };
        groups.set(key, group);
      }
      if (!group.claims.has(claim.cidr.network)) group.claims.set(claim.cidr.network, claim);
    },
  };
  for (const claim of initial) index.add(claim);
  return index;
}
