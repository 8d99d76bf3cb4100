import {
  addressBits,
  familyName,
  formatIp,
  type IpAddress,
  type IpFamily,
  ipFromBigInt,
  parseDecimalOctet,
  parseIp,
} from './address.ts';
import { NetError } from './errors.ts';

/** A network block as an immutable value; `network` never has host bits set. */
export interface Cidr {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefix: number;
}

export interface ParseCidrOptions {
  /** Accept `10.244.1.5/24` and return `10.244.1.0/24` instead of rejecting it. */
  readonly maskHostBits?: boolean;
}

export function parseCidr(text: string, options: ParseCidrOptions = {}): Cidr {
  const [address, prefixText, extra] = typeof text === 'string' ? text.split('/') : [];
  if (address === undefined || prefixText === undefined || extra !== undefined) {
    throw invalidCidr(text, 'expected address/prefix');
  }
  let ip: IpAddress;
  try {
    ip = parseIp(address);
  } catch (error) {
    throw invalidCidr(text, `${JSON.stringify(address)} is not an IP address`, error);
  }
  const bits = addressBits(ip.family);
  const prefix = parseDecimalOctet(prefixText);
  if (prefix === undefined || prefix > bits) {
    const why = `prefix length ${prefixText} is not in 0-${bits} for ${familyName(ip.family)}`;
    throw invalidCidr(text, why);
  }
  const cidr = cidrOf(ip, prefix);
  if (cidr.network !== ip.value && options.maskHostBits !== true) {
    throw invalidCidr(text, `host bits are set (did you mean ${formatCidr(cidr)}?)`);
  }
  return cidr;
}

/** The block of the given prefix length that holds `ip` (host bits masked off). */
export function cidrOf(ip: IpAddress, prefix: number): Cidr {
  const bits = addressBits(ip.family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new NetError(
      'LOOM_INVALID_CIDR',
      `prefix length ${prefix} is not in 0-${bits} for ${familyName(ip.family)} address ${formatIp(ip)}`,
    );
  }
  const network = ip.value & ~hostMask(ip.family, prefix);
  return Object.freeze({ family: ip.family, network, prefix });
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(ipFromBigInt(cidr.family, cidr.network))}/${cidr.prefix}`;
}

/** Number of addresses in the block (IPv4 included network and broadcast). */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(addressBits(cidr.family) - cidr.prefix);
}

export function firstAddress(cidr: Cidr): IpAddress {
  return ipFromBigInt(cidr.family, cidr.network);
}

/** The last address: the broadcast address for IPv4. */
export function lastAddress(cidr: Cidr): IpAddress {
  return ipFromBigInt(cidr.family, cidr.network | hostMask(cidr.family, cidr.prefix));
}

/** Whether `ip` is inside `cidr`; addresses of the other family are never inside. */
export function contains(cidr: Cidr, ip: IpAddress): boolean {
  return (
    ip.family === cidr.family && (ip.value & ~hostMask(cidr.family, cidr.prefix)) === cidr.network
  );
}

/** Whether every address of `inner` is inside `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, firstAddress(inner));
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

export function cidrEquals(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network === b.network && a.prefix === b.prefix;
}

/**
 * The `n`th address of the block, counting from 0 at the network address; negative `n`
 * counts back from the end (-1 is the last address, the IPv4 broadcast).
 */
export function nthAddress(cidr: Cidr, n: number | bigint): IpAddress {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) {
    throw new NetError('LOOM_OUT_OF_RANGE', `address index ${n} is not an integer`);
  }
  const size = cidrSize(cidr);
  const index = BigInt(n);
  if (index >= size || index < -size) {
    throw new NetError(
      'LOOM_OUT_OF_RANGE',
      `cannot take address ${index} of ${formatCidr(cidr)}: it has ${size} addresses (index ${-size} to ${size - 1n})`,
    );
  }
  return ipFromBigInt(cidr.family, cidr.network + (index < 0n ? size + index : index));
}

export function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(addressBits(family) - prefix)) - 1n;
}

function invalidCidr(text: string, reason: string, cause?: unknown): NetError<'LOOM_INVALID_CIDR'> {
  return new NetError(
    'LOOM_INVALID_CIDR',
    `${JSON.stringify(text)} is not a valid CIDR: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}
