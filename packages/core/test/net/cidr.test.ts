import { describe, expect, it } from 'vitest';
import {
  cidrOf,
  cidrSize,
  contains,
  containsCidr,
  firstAddress,
  formatCidr,
  formatIp,
  isNetError,
  lastAddress,
  nthAddress,
  overlaps,
  parseCidr,
  parseIp,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const cidr = (text: string) => parseCidr(text);

describe('parseCidr + formatCidr', () => {
  it.each([
    { text: '10.244.0.0/16', family: 4, prefix: 16, canonical: '10.244.0.0/16', size: 65536n },
    { text: '10.96.0.0/12', family: 4, prefix: 12, canonical: '10.96.0.0/12', size: 1n << 20n },
    { text: '0.0.0.0/0', family: 4, prefix: 0, canonical: '0.0.0.0/0', size: 1n << 32n },
    { text: '192.168.1.11/32', family: 4, prefix: 32, canonical: '192.168.1.11/32', size: 1n },
    {
      text: 'FD00:10:244:0000::/56',
      family: 6,
      prefix: 56,
      canonical: 'fd00:10:244::/56',
      size: 1n << 72n,
    },
    {
      text: 'fd00:10:96::/112',
      family: 6,
      prefix: 112,
      canonical: 'fd00:10:96::/112',
      size: 65536n,
    },
    { text: '::/0', family: 6, prefix: 0, canonical: '::/0', size: 1n << 128n },
  ])('$text', ({ text, family, prefix, canonical, size }) => {
    const parsed = parseCidr(text);
    expect(parsed.family).toBe(family);
    expect(parsed.prefix).toBe(prefix);
    expect(formatCidr(parsed)).toBe(canonical);
    expect(cidrSize(parsed)).toBe(size);
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it.each([
    { text: '10.96.0.0/33', why: 'prefix length 33 is not in 0-32 for IPv4' },
    { text: 'fd00::/129', why: 'prefix length 129 is not in 0-128 for IPv6' },
    { text: '10.96.0.0/012', why: 'prefix length 012 is not in 0-32 for IPv4' },
    { text: '10.96.0.0/-1', why: 'prefix length -1 is not in 0-32 for IPv4' },
    { text: '10.96.0.0/', why: 'prefix length  is not in 0-32 for IPv4' },
    { text: '10.96.0.0', why: 'expected address/prefix' },
    { text: '10.96.0.0/12/1', why: 'expected address/prefix' },
    { text: '10.96.0/12', why: '"10.96.0" is not an IP address' },
    { text: '10.244.1.5/24', why: 'host bits are set (did you mean 10.244.1.0/24?)' },
    { text: 'fd00:10:244::1/64', why: 'host bits are set (did you mean fd00:10:244::/64?)' },
  ])('rejects $text: $why', ({ text, why }) => {
    const error = thrown(() => parseCidr(text));
    expect(error.message).toBe(`${JSON.stringify(text)} is not a valid CIDR: ${why}`);
    expect(isNetError(error, 'LOOM_INVALID_CIDR')).toBe(true);
  });

  it.each([
    { text: '10.244.1.5/24', masked: '10.244.1.0/24' },
    { text: '10.244.1.5/32', masked: '10.244.1.5/32' },
    { text: 'fd00:10:244:1::7/64', masked: 'fd00:10:244:1::/64' },
  ])('masks $text to $masked when asked', ({ text, masked }) => {
    expect(formatCidr(parseCidr(text, { maskHostBits: true }))).toBe(masked);
    const [ip, prefix] = text.split('/');
    expect(formatCidr(cidrOf(parseIp(ip!), Number(prefix)))).toBe(masked);
  });

  it('cidrOf refuses a prefix longer than the address', () => {
    expect(() => cidrOf(parseIp('10.0.0.1'), 33)).toThrow(
      'prefix length 33 is not in 0-32 for IPv4 address 10.0.0.1',
    );
  });
});

describe('first and last address', () => {
  it.each([
    { text: '10.244.1.0/24', first: '10.244.1.0', last: '10.244.1.255' },
    { text: '10.96.0.0/12', first: '10.96.0.0', last: '10.111.255.255' },
    { text: '192.168.1.11/32', first: '192.168.1.11', last: '192.168.1.11' },
    {
      text: 'fd00:10:244:1::/64',
      first: 'fd00:10:244:1::',
      last: 'fd00:10:244:1:ffff:ffff:ffff:ffff',
    },
  ])('$text spans $first to $last', ({ text, first, last }) => {
    expect(formatIp(firstAddress(cidr(text)))).toBe(first);
    expect(formatIp(lastAddress(cidr(text)))).toBe(last);
  });
});

describe('contains', () => {
  it.each([
    { block: '10.244.0.0/16', ip: '10.244.255.255', inside: true },
    { block: '10.244.0.0/16', ip: '10.245.0.0', inside: false },
    { block: '10.244.0.0/16', ip: '10.243.255.255', inside: false },
    { block: '0.0.0.0/0', ip: '203.0.113.9', inside: true },
    { block: '0.0.0.0/0', ip: '::1', inside: false },
    { block: '::/0', ip: '10.0.0.1', inside: false },
    { block: '::/0', ip: '::ffff:10.0.0.1', inside: true },
    { block: 'fd00:10:244::/56', ip: 'fd00:10:244:ff::1', inside: true },
    { block: 'fd00:10:244::/56', ip: 'fd00:10:244:100::', inside: false },
  ])('$block contains $ip: $inside', ({ block, ip, inside }) => {
    expect(contains(cidr(block), parseIp(ip))).toBe(inside);
  });
});

describe('overlaps and containsCidr', () => {
  it.each([
    { a: '10.244.0.0/16', b: '10.96.0.0/12', overlap: false, aHoldsB: false },
    { a: '10.96.0.0/12', b: '10.100.0.0/16', overlap: true, aHoldsB: true },
    { a: '10.100.0.0/16', b: '10.96.0.0/12', overlap: true, aHoldsB: false },
    { a: '10.244.1.0/24', b: '10.244.1.0/24', overlap: true, aHoldsB: true },
    { a: '10.244.1.0/24', b: '10.244.2.0/24', overlap: false, aHoldsB: false },
    { a: '10.0.0.0/8', b: 'fd00::/8', overlap: false, aHoldsB: false },
    { a: '0.0.0.0/0', b: '::/0', overlap: false, aHoldsB: false },
    { a: 'fd00:10:244::/56', b: 'fd00:10:244:1::/64', overlap: true, aHoldsB: true },
  ])('$a vs $b', ({ a, b, overlap, aHoldsB }) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(overlap);
    expect(overlaps(cidr(b), cidr(a))).toBe(overlap);
    expect(containsCidr(cidr(a), cidr(b))).toBe(aHoldsB);
  });
});

describe('nthAddress', () => {
  it.each([
    { block: '10.96.0.0/12', n: 1, ip: '10.96.0.1' },
    { block: '10.96.0.0/12', n: 10, ip: '10.96.0.10' },
    { block: '10.244.1.0/24', n: 0, ip: '10.244.1.0' },
    { block: '10.244.1.0/24', n: 255, ip: '10.244.1.255' },
    { block: '10.244.1.0/24', n: -1, ip: '10.244.1.255' },
    { block: '10.244.1.0/24', n: -2, ip: '10.244.1.254' },
    { block: '10.244.1.0/24', n: -256, ip: '10.244.1.0' },
    { block: 'fd00:10:96::/112', n: 10, ip: 'fd00:10:96::a' },
    { block: 'fd00:10:244:1::/64', n: -1, ip: 'fd00:10:244:1:ffff:ffff:ffff:ffff' },
    { block: 'fd00:10:244:1::/64', n: 1n << 32n, ip: 'fd00:10:244:1:0:1::' },
  ])('$block[$n] = $ip', ({ block, n, ip }) => {
    expect(formatIp(nthAddress(cidr(block), n))).toBe(ip);
  });

  it.each([
    {
      n: 256,
      message: 'cannot take address 256 of 10.244.1.0/24: it has 256 addresses (index -256 to 255)',
    },
    {
      n: -257,
      message:
        'cannot take address -257 of 10.244.1.0/24: it has 256 addresses (index -256 to 255)',
    },
    { n: 1.5, message: 'address index 1.5 is not an integer' },
  ])('refuses index $n', ({ n, message }) => {
    const error = thrown(() => nthAddress(cidr('10.244.1.0/24'), n));
    expect(error.message).toBe(message);
    expect(isNetError(error, 'LOOM_OUT_OF_RANGE')).toBe(true);
  });
});
