import ipaddr from 'ipaddr.js';
import { NetError } from './errors.ts';

export type IpFamily = 4 | 6;

/** An IP address as an immutable value: compare `value`s with `===`. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** Address width in bits: 32 for IPv4, 128 for IPv6. */
export function addressBits(family: IpFamily): 32 | 128 {
  return family === 4 ? 32 : 128;
}

/** The name Kubernetes uses in `spec.ipFamilies`. */
export function familyName(family: IpFamily): 'IPv4' | 'IPv6' {
  return family === 4 ? 'IPv4' : 'IPv6';
}

export function ipFromBigInt(family: IpFamily, value: bigint): IpAddress {
  if (value < 0n || value >= 1n << BigInt(addressBits(family))) {
    throw new NetError(
      'LOOM_INVALID_IP',
      `${value} is not a valid ${familyName(family)} address: it needs more than ${addressBits(family)} bits or is negative`,
    );
  }
  return Object.freeze({ family, value });
}

export function ipToBigInt(ip: IpAddress): bigint {
  return ip.value;
}

/**
 * Parses dotted-quad IPv4 or RFC 4291 IPv6 text. Stricter than ipaddr.js on purpose:
 * the inet_aton forms (`10.1`, `010.0.0.1`, `0xa.0.0.1`) and zone indexes are refused,
 * because Kubernetes refuses them and they read differently to different tools.
 */
export function parseIp(text: string): IpAddress {
  const reason = rejectReason(text);
  if (reason !== undefined) throw invalidIp(text, reason);
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return ipFromBigInt(4, bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray()));
  }
  if (ipaddr.IPv6.isValid(text)) {
    return ipFromBigInt(6, bytesToBigInt(ipaddr.IPv6.parse(text).toByteArray()));
  }
  throw invalidIp(text);
}

/** Like `parseIp`, but returns undefined instead of throwing. */
export function tryParseIp(text: string): IpAddress | undefined {
  try {
    return parseIp(text);
  } catch {
    return undefined;
  }
}

/** Canonical text: dotted quad, or RFC 5952 (compressed, lowercase) IPv6. */
export function formatIp(ip: IpAddress): string {
  const bytes = bigIntToBytes(ip.value, addressBits(ip.family) / 8);
  if (ip.family === 4) return bytes.join('.');
  const v6 = ipaddr.fromByteArray(bytes) as ipaddr.IPv6;
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (v6.isIPv4MappedAddress()) return `::ffff:${v6.toIPv4Address().toString()}`;
  return v6.toRFC5952String();
}

export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Orders IPv4 before IPv6, then numerically; for `Array.prototype.sort`. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function rejectReason(text: string): string | undefined {
  if (typeof text !== 'string') return 'not a string';
  if (text.includes('%')) return 'zone indexes are not allowed';
  const dotted = /^::(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  // ipaddr.js reads the deprecated IPv4-compatible form `::a.b.c.d` as IPv4-mapped.
  if (dotted)
    return 'the IPv4-compatible form is deprecated (RFC 4291 2.5.5.1); use ::ffff:a.b.c.d';
  const embedded = /:(\d[\d.]*)$/.exec(text)?.[1];
  if (embedded?.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(embedded)) {
    return `embedded IPv4 part ${embedded} is not a dotted quad`;
  }
  return undefined;
}

function invalidIp(text: string, reason?: string): NetError<'LOOM_INVALID_IP'> {
  const suffix = reason === undefined ? '' : `: ${reason}`;
  return new NetError(
    'LOOM_INVALID_IP',
    `${JSON.stringify(text)} is not a valid IP address${suffix}`,
  );
}

function bytesToBigInt(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigIntToBytes(value: bigint, length: number): number[] {
  const bytes = new Array<number>(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}
