import { addressBits, familyName } from './address.ts';
import { type Cidr, containsCidr, formatCidr } from './cidr.ts';
import { NetError } from './errors.ts';

/** splitCidr materialises every block; past this many the caller wants subnetAt. */
export const defaultMaxSubnets = 65_536;

/** How many `/newMask` blocks `cidr` holds (e.g. 10.244.0.0/16 → /24: 256). */
export function subnetCount(cidr: Cidr, newMask: number): bigint {
  checkNewMask(cidr, newMask);
  return 1n << BigInt(newMask - cidr.prefix);
}

/**
 * The `index`th `/newMask` block of `cidr`, e.g. the per-node pod CIDR of node `index`.
 * Negative `index` counts back from the last block.
 */
export function subnetAt(cidr: Cidr, newMask: number, index: number | bigint): Cidr {
  const count = subnetCount(cidr, newMask);
  if (typeof index === 'number' && !Number.isSafeInteger(index)) {
    throw new NetError('LOOM_OUT_OF_RANGE', `subnet index ${index} is not an integer`);
  }
  const i = BigInt(index);
  if (i >= count || i < -count) {
    throw new NetError(
      'LOOM_OUT_OF_RANGE',
      `cannot take /${newMask} block ${i} of ${formatCidr(cidr)}: it has ${count} (index ${-count} to ${count - 1n})`,
    );
  }
  const step = 1n << BigInt(addressBits(cidr.family) - newMask);
  const network = cidr.network + (i < 0n ? count + i : i) * step;
  return Object.freeze({ family: cidr.family, network, prefix: newMask });
}

/** The position of `subnet` among the `/subnet.prefix` blocks of `cidr`: subnetAt's inverse. */
export function subnetIndex(cidr: Cidr, subnet: Cidr): bigint {
  if (!containsCidr(cidr, subnet)) {
    throw new NetError(
      'LOOM_OUT_OF_RANGE',
      `${formatCidr(subnet)} is not a block of ${formatCidr(cidr)}`,
    );
  }
  return (subnet.network - cidr.network) >> BigInt(addressBits(cidr.family) - subnet.prefix);
}

export interface SplitCidrOptions {
  /** Refuse to build more blocks than this (default 65536, Kubernetes' 16-bit limit). */
  readonly maxSubnets?: number;
}

/** Every `/newMask` block of `cidr`, in address order (10.244.0.0/16 → 256 × /24). */
export function splitCidr(cidr: Cidr, newMask: number, options: SplitCidrOptions = {}): Cidr[] {
  const count = subnetCount(cidr, newMask);
  const max = options.maxSubnets ?? defaultMaxSubnets;
  if (count > BigInt(max)) {
    throw new NetError(
      'LOOM_OUT_OF_RANGE',
      `cannot split ${formatCidr(cidr)} into /${newMask} blocks: that makes ${count}, more than ${max}`,
    );
  }
  const blocks: Cidr[] = [];
  for (let i = 0n; i < count; i++) blocks.push(subnetAt(cidr, newMask, i));
  return blocks;
}

function checkNewMask(cidr: Cidr, newMask: number): void {
  const bits = addressBits(cidr.family);
  if (!Number.isInteger(newMask) || newMask < cidr.prefix || newMask > bits) {
    throw new NetError(
      'LOOM_OUT_OF_RANGE',
      `cannot split ${formatCidr(cidr)} into /${newMask} blocks: the new prefix must be in ${cidr.prefix}-${bits} for ${familyName(cidr.family)}`,
    );
  }
}
