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
 * Parses dotted-quad IPv4 or RFC 4291 IPv6 text. Stricter than inet_pton-like parsers on
 * purpose: the inet_aton forms (`10.1`, `010.0.0.1`, `0xa.0.0.1`) and zone indexes are
 * refused, because Kubernetes refuses them and they read differently to different tools.
 * Hand-written (no regular expressions, no library): the CNI plugins parse a few addresses
 * per call in a process that lives for milliseconds.
 */
export function parseIp(text: string): IpAddress {
  const reason = rejectReason(text);
  if (reason !== undefined) throw invalidIp(text, reason);
  const family = text.includes(':') ? 6 : 4;
  const value = family === 6 ? parseIpv6(text) : parseIpv4(text);
  if (value === undefined) throw invalidIp(text);
  return ipFromBigInt(family, value);
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
  if (ip.family === 4) return formatIpv4(Number(ip.value));
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (ip.value >> 32n === 0xffffn) return `::ffff:${formatIpv4(Number(ip.value & 0xffffffffn))}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(Number((ip.value >> shift) & 0xffffn));
  // RFC 5952 section 4.2: the longest run of two or more zero groups becomes "::" (the first
  // of equal runs).
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (best.at < 0) return hex(0, 8);
  return `${hex(0, best.at)}::${hex(best.at + best.length, 8)}`;
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
  // Some parsers read the deprecated IPv4-compatible form `::a.b.c.d` as IPv4-mapped.
  const compatible = text.startsWith('::') ? text.slice(2).split('.') : [];
  if (compatible.length === 4 && compatible.every((part) => part !== '' && isDottedDigits(part)))
    return 'the IPv4-compatible form is deprecated (RFC 4291 2.5.5.1); use ::ffff:a.b.c.d';
  const last = text.slice(text.lastIndexOf(':') + 1);
  if (
    text.includes(':') &&
    last.includes('.') &&
    isDottedDigits(last) &&
    parseIpv4(last) === undefined
  ) {
    return `embedded IPv4 part ${last} is not a dotted quad`;
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

/** Digits and dots only, starting with a digit (what could be meant as a dotted quad). */
function isDottedDigits(text: string): boolean {
  if (text === '' || text[0] === '.') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

/** A dotted quad of decimal octets without leading zeros, as a number; else undefined. */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const octet = parseDecimalOctet(part);
    if (octet === undefined) return undefined;
    value = value * 256 + octet;
  }
  return BigInt(value);
}

/** Decimal 0–255 without leading zeros (`0`, `24`, `255`); else undefined. */
export function parseDecimalOctet(part: string): number | undefined {
  if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0'))
    return undefined;
  let octet = 0;
  for (let i = 0; i < part.length; i++) {
    const digit = part.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    octet = octet * 10 + digit;
  }
  return octet <= 255 ? octet : undefined;
}

/**
 * RFC 4291 section 2.2: eight groups of one to four hex digits, at most one "::" standing for
 * one or more zero groups, optionally ending in a dotted quad (two groups).
 */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/** The 16-bit groups of one side of "::"; `last` when a dotted quad may end it. */
function groupsOf(side: string, last: boolean): number[] | undefined {
  if (side === '') return [];
  const parts = side.split(':');
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      const group = parseHexGroup(part);
      if (group === undefined) return undefined;
      groups.push(group);
    }
  }
  return groups;
}

function parseHexGroup(part: string): number | undefined {
  if (part.length === 0 || part.length > 4) return undefined;
  let group = 0;
  for (let i = 0; i < part.length; i++) {
    const digit = HEX_DIGITS.indexOf(part[i]!.toLowerCase());
    if (digit < 0) return undefined;
    group = group * 16 + digit;
  }
  return group;
}

const HEX_DIGITS = '0123456789abcdef';

function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}
