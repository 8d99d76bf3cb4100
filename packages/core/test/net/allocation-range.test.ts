import { describe, expect, it } from 'vitest';
import {
  type AllocationRangeOptions,
  formatAllocationRange,
  formatIp,
  isNetError,
  parseCidr,
  parseIp,
  resolveAllocationRange,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const ip = parseIp;

describe('resolveAllocationRange', () => {
  it.each([
    {
      name: 'IPv4 /24 defaults as host-local: .1-.254, gateway .1 reserved',
      options: { cidr: parseCidr('10.244.1.0/24') },
      range: '10.244.1.1-10.244.1.254',
      size: 254,
      gateway: '10.244.1.1',
      reserved: ['10.244.1.1'],
    },
    {
      name: 'IPv4 range starting at the network address reserves it and the broadcast',
      options: {
        cidr: parseCidr('10.244.1.0/29'),
        rangeStart: ip('10.244.1.0'),
        rangeEnd: ip('10.244.1.7'),
      },
      range: '10.244.1.0-10.244.1.7',
      size: 8,
      gateway: '10.244.1.1',
      reserved: ['10.244.1.0', '10.244.1.1', '10.244.1.7'],
    },
    {
      name: 'explicit subrange leaves the gateway outside',
      options: {
        cidr: parseCidr('10.244.1.0/24'),
        rangeStart: ip('10.244.1.100'),
        rangeEnd: ip('10.244.1.199'),
      },
      range: '10.244.1.100-10.244.1.199',
      size: 100,
      gateway: '10.244.1.1',
      reserved: [],
    },
    {
      name: 'no gateway, with exclusions',
      options: {
        cidr: parseCidr('10.244.1.0/24'),
        gateway: null,
        exclude: [ip('10.244.1.53'), ip('10.244.1.2')],
      },
      range: '10.244.1.1-10.244.1.254',
      size: 254,
      gateway: undefined,
      reserved: ['10.244.1.2', '10.244.1.53'],
    },
    {
      name: 'IPv6 /120 runs to the last address (no broadcast)',
      options: { cidr: parseCidr('fd00:10:244:1::/120') },
      range: 'fd00:10:244:1::1-fd00:10:244:1::ff',
      size: 255,
      gateway: 'fd00:10:244:1::1',
      reserved: ['fd00:10:244:1::1'],
    },
    {
      name: 'IPv6 /64 allocates from its first 65536 addresses',
      options: { cidr: parseCidr('fd00:10:244:1::/64') },
      range: 'fd00:10:244:1::1-fd00:10:244:1::1:0',
      size: 65536,
      gateway: 'fd00:10:244:1::1',
      reserved: ['fd00:10:244:1::1'],
    },
    {
      name: 'IPv6 range from the subnet-router anycast address reserves it',
      options: { cidr: parseCidr('fd00::/120'), rangeStart: ip('fd00::'), gateway: ip('fd00::fe') },
      range: 'fd00::-fd00::ff',
      size: 256,
      gateway: 'fd00::fe',
      reserved: ['fd00::', 'fd00::fe'],
    },
  ] satisfies {
    name: string;
    options: AllocationRangeOptions;
    range: string;
    size: number;
    gateway: string | undefined;
    reserved: string[];
  }[])('$name', ({ options, range, size, gateway, reserved }) => {
    const resolved = resolveAllocationRange(options);
    expect(formatAllocationRange(resolved)).toBe(range);
    expect(resolved.size).toBe(size);
    expect(resolved.gateway && formatIp(resolved.gateway)).toBe(gateway);
    expect(resolved.reserved.map(formatIp)).toEqual(reserved);
  });

  it.each([
    {
      name: 'IPv4 /31',
      options: { cidr: parseCidr('10.0.0.0/31') },
      message: '10.0.0.0/31 is too small to allocate from (IPv4 needs /30 or shorter)',
    },
    {
      name: 'IPv6 /127',
      options: { cidr: parseCidr('fd00::/127') },
      message: 'fd00::/127 is too small to allocate from (IPv6 needs /126 or shorter)',
    },
    {
      name: 'rangeStart outside',
      options: { cidr: parseCidr('10.244.1.0/24'), rangeStart: ip('10.244.2.1') },
      message: 'rangeStart 10.244.2.1 is not inside 10.244.1.0/24',
    },
    {
      name: 'rangeEnd of the other family',
      options: { cidr: parseCidr('10.244.1.0/24'), rangeEnd: ip('fd00::1') },
      message: 'rangeEnd fd00::1 is not inside 10.244.1.0/24',
    },
    {
      name: 'gateway outside',
      options: { cidr: parseCidr('10.244.1.0/24'), gateway: ip('10.244.0.1') },
      message: 'gateway 10.244.0.1 is not inside 10.244.1.0/24',
    },
    {
      name: 'exclusion outside',
      options: { cidr: parseCidr('10.244.1.0/24'), exclude: [ip('10.0.0.1')] },
      message: 'exclude 10.0.0.1 is not inside 10.244.1.0/24',
    },
    {
      name: 'end before start',
      options: {
        cidr: parseCidr('10.244.1.0/24'),
        rangeStart: ip('10.244.1.9'),
        rangeEnd: ip('10.244.1.8'),
      },
      message: 'rangeEnd 10.244.1.8 is before rangeStart 10.244.1.9 in 10.244.1.0/24',
    },
    {
      name: 'explicit end past maxSize',
      options: { cidr: parseCidr('10.244.0.0/16'), rangeEnd: ip('10.244.255.254'), maxSize: 1000 },
      message: 'range 10.244.0.1-10.244.255.254 spans more than 1000 addresses',
    },
    {
      name: 'silly maxSize',
      options: { cidr: parseCidr('10.244.0.0/16'), maxSize: 0 },
      message: 'maxSize 0 is not in 1-16777216',
    },
  ] satisfies { name: string; options: AllocationRangeOptions; message: string }[])(
    'refuses $name',
    ({ options, message }) => {
      const error = thrown(() => resolveAllocationRange(options));
      expect(error.message).toBe(`invalid allocation range: ${message}`);
      expect(isNetError(error, 'LOOM_INVALID_ALLOCATION_RANGE')).toBe(true);
    },
  );
});
