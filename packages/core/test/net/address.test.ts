import { describe, expect, it } from 'vitest';
import {
  compareIp,
  formatIp,
  ipEquals,
  ipFromBigInt,
  ipToBigInt,
  isNetError,
  parseIp,
  tryParseIp,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

describe('parseIp + formatIp', () => {
  it.each([
    { text: '10.244.1.5', family: 4, value: 0x0af40105n, canonical: '10.244.1.5' },
    { text: '0.0.0.0', family: 4, value: 0n, canonical: '0.0.0.0' },
    { text: '255.255.255.255', family: 4, value: 0xffffffffn, canonical: '255.255.255.255' },
    { text: '::', family: 6, value: 0n, canonical: '::' },
    { text: '::1', family: 6, value: 1n, canonical: '::1' },
    {
      text: 'FD00:10:244::1',
      family: 6,
      value: 0xfd000010024400000000000000000001n,
      canonical: 'fd00:10:244::1',
    },
    {
      text: '2001:0db8:0000:0000:0001:0000:0000:0001',
      family: 6,
      value: 0x20010db8000000000001000000000001n,
      canonical: '2001:db8::1:0:0:1',
    },
    {
      text: '2001:db8:0:1:1:1:1:1',
      family: 6,
      value: 0x20010db8000000010001000100010001n,
      canonical: '2001:db8:0:1:1:1:1:1',
    },
    { text: '::ffff:192.0.2.1', family: 6, value: 0xffffc0000201n, canonical: '::ffff:192.0.2.1' },
    { text: '::ffff:c000:201', family: 6, value: 0xffffc0000201n, canonical: '::ffff:192.0.2.1' },
    {
      text: '64:ff9b::192.0.2.1',
      family: 6,
      value: 0x0064ff9b0000000000000000c0000201n,
      canonical: '64:ff9b::c000:201',
    },
    {
      text: '1:2:3:4:5:6:7::',
      family: 6,
      value: 0x00010002000300040005000600070000n,
      canonical: '1:2:3:4:5:6:7:0',
    },
    {
      text: '1:0:0:2:0:0:0:3',
      family: 6,
      value: 0x00010000000000020000000000000003n,
      canonical: '1:0:0:2::3',
    },
    {
      text: '0:0:1:0:0:1:0:0',
      family: 6,
      value: 0x00000000000100000000000100000000n,
      canonical: '::1:0:0:1:0:0',
    },
    {
      text: '1:2:3:4:5:6:1.2.3.4',
      family: 6,
      value: 0x00010002000300040005000601020304n,
      canonical: '1:2:3:4:5:6:102:304',
    },
    {
      text: 'ABCD:EF01::',
      family: 6,
      value: 0xabcdef01000000000000000000000000n,
      canonical: 'abcd:ef01::',
    },
  ])('$text is IPv$family $canonical', ({ text, family, value, canonical }) => {
    const ip = parseIp(text);
    expect(ip).toEqual({ family, value });
    expect(ipToBigInt(ip)).toBe(value);
    expect(formatIp(ip)).toBe(canonical);
    expect(parseIp(canonical)).toEqual(ip);
  });

  const invalid = (text: string, why?: string) =>
    `${JSON.stringify(text)} is not a valid IP address${why ? `: ${why}` : ''}`;
  it.each([
    { text: '', message: invalid('') },
    { text: '10.0.0.256', message: invalid('10.0.0.256') },
    { text: '10.1', message: invalid('10.1') },
    { text: '010.0.0.1', message: invalid('010.0.0.1') },
    { text: '0x0a.0.0.1', message: invalid('0x0a.0.0.1') },
    { text: '4294967295', message: invalid('4294967295') },
    { text: ' 10.0.0.1', message: invalid(' 10.0.0.1') },
    { text: '10.0.0.1/24', message: invalid('10.0.0.1/24') },
    { text: 'fe80::1%eth0', message: invalid('fe80::1%eth0', 'zone indexes are not allowed') },
    {
      text: '::1.2.3.4',
      message: invalid(
        '::1.2.3.4',
        'the IPv4-compatible form is deprecated (RFC 4291 2.5.5.1); use ::ffff:a.b.c.d',
      ),
    },
    {
      text: '::ffff:010.1.1.1',
      message: invalid('::ffff:010.1.1.1', 'embedded IPv4 part 010.1.1.1 is not a dotted quad'),
    },
    { text: '1:2:3:4:5:6:7:8:9', message: invalid('1:2:3:4:5:6:7:8:9') },
    { text: '2001:db8::1::2', message: invalid('2001:db8::1::2') },
    { text: 'node1', message: invalid('node1') },
    { text: '1::2:3:4:5:6:7:8', message: invalid('1::2:3:4:5:6:7:8') },
    { text: '12345::', message: invalid('12345::') },
    { text: 'g::1', message: invalid('g::1') },
    { text: ':1::', message: invalid(':1::') },
    { text: '1:2:3:4:5:6:7', message: invalid('1:2:3:4:5:6:7') },
    { text: '1.2.3.4::', message: invalid('1.2.3.4::') },
    { text: '1:2:3:4:5:6:7:1.2.3.4', message: invalid('1:2:3:4:5:6:7:1.2.3.4') },
    { text: '10.0.0.-1', message: invalid('10.0.0.-1') },
    {
      text: '::1..2.3',
      message: invalid('::1..2.3', 'embedded IPv4 part 1..2.3 is not a dotted quad'),
    },
    {
      text: '::ffff:0.0.0.00',
      message: invalid('::ffff:0.0.0.00', 'embedded IPv4 part 0.0.0.00 is not a dotted quad'),
    },
  ])('rejects $text, naming it', ({ text, message }) => {
    expect(tryParseIp(text)).toBeUndefined();
    const error = thrown(() => parseIp(text));
    expect(error.message).toBe(message);
    expect(isNetError(error, 'LOOM_INVALID_IP')).toBe(true);
  });
});

describe('ipFromBigInt', () => {
  it.each([
    { family: 4 as const, value: 0x0a60000an, text: '10.96.0.10' },
    {
      family: 6 as const,
      value: (1n << 128n) - 1n,
      text: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    },
  ])('$text', ({ family, value, text }) => {
    expect(formatIp(ipFromBigInt(family, value))).toBe(text);
  });

  it.each([
    { family: 4 as const, value: 1n << 32n },
    { family: 4 as const, value: -1n },
    { family: 6 as const, value: 1n << 128n },
  ])('rejects $value for IPv$family', ({ family, value }) => {
    expect(() => ipFromBigInt(family, value)).toThrow(
      `${value} is not a valid IPv${family} address`,
    );
  });

  it('returns a frozen value', () => {
    expect(Object.isFrozen(parseIp('10.0.0.1'))).toBe(true);
  });
});

describe('ordering and equality', () => {
  it('sorts IPv4 before IPv6, then numerically', () => {
    const ips = ['fd00::2', '10.0.0.10', 'fd00::1', '10.0.0.9', '9.255.255.255'].map(parseIp);
    expect(ips.sort(compareIp).map(formatIp)).toEqual([
      '9.255.255.255',
      '10.0.0.9',
      '10.0.0.10',
      'fd00::1',
      'fd00::2',
    ]);
  });

  it('tells families apart even for the same number', () => {
    expect(ipEquals(parseIp('0.0.0.1'), parseIp('::1'))).toBe(false);
    expect(ipEquals(parseIp('fd00::1'), parseIp('FD00:0::1'))).toBe(true);
  });
});
