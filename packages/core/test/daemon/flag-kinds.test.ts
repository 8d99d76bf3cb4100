import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  readBoolean,
  readChoice,
  readCidrList,
  readDuration,
  readInteger,
  readPort,
} from '../../src/daemon/flag-kinds.ts';
import { formatCidr } from '../../src/net/index.ts';

describe('readInteger', () => {
  it.each([
    { text: '76', min: 5, max: 255, read: { value: 76 } },
    { text: '5', min: 5, max: 255, read: { value: 5 } },
    { text: '2', min: 5, max: 255, read: { why: '"2" is not an integer in 5-255' } },
    { text: '256', min: 5, max: 255, read: { why: '"256" is not an integer in 5-255' } },
    { text: '1e3', min: 0, max: undefined, read: { why: '"1e3" is not an integer of at least 0' } },
    { text: ' 1', min: 0, max: undefined, read: { why: '" 1" is not an integer of at least 0' } },
    { text: '-1', min: 0, max: 9, read: { why: '"-1" is not an integer in 0-9' } },
  ])('$text in $min-$max', ({ text, min, max, read }) => {
    expect(readInteger(text, min, max)).toEqual(read);
  });
});

describe('readPort', () => {
  it.each([
    { text: '0', min: undefined, read: { value: 0 } },
    { text: '65535', min: undefined, read: { value: 65_535 } },
    { text: '0', min: 1, read: { why: '"0" is not a port (1-65535)' } },
    { text: '65536', min: undefined, read: { why: '"65536" is not a port (0-65535)' } },
    { text: 'x', min: undefined, read: { why: '"x" is not a port (0-65535)' } },
  ])('$text (min $min)', ({ text, min, read }) => {
    expect(readPort(text, min)).toEqual(read);
  });
});

describe('readDuration', () => {
  it.each([
    { text: '500ms', read: { value: 500 } },
    { text: '30s', read: { value: 30_000 } },
    { text: '30', read: { value: 30_000 } },
    { text: '2m', read: { value: 120_000 } },
    { text: '1.5h', read: { value: 5_400_000 } },
    { text: '50ms', read: { why: '"50ms" is not a duration of at least 100ms (500ms, 30s, 2m)' } },
    { text: 'soon', read: { why: '"soon" is not a duration of at least 100ms (500ms, 30s, 2m)' } },
    { text: '1d', read: { why: '"1d" is not a duration of at least 100ms (500ms, 30s, 2m)' } },
  ])('$text', ({ text, read }) => {
    expect(readDuration(text, 100)).toEqual(read);
  });

  it.each([
    { ms: 30_000, text: '30s' },
    { ms: 120_000, text: '2m' },
    { ms: 7_200_000, text: '2h' },
    { ms: 1_500, text: '1500ms' },
    { ms: 0, text: '0ms' },
  ])('formats $ms ms as $text, which reads back the same', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
    expect(readDuration(text)).toEqual({ value: ms });
  });
});

describe('readBoolean (environment spelling)', () => {
  it.each([
    { text: 'true', read: { value: true } },
    { text: '1', read: { value: true } },
    { text: 'false', read: { value: false } },
    { text: '0', read: { value: false } },
    { text: 'yes', read: { why: '"yes" is not true or false' } },
  ])('$text', ({ text, read }) => {
    expect(readBoolean(text)).toEqual(read);
  });
});

describe('readChoice', () => {
  it.each([
    { text: 'vxlan', read: { value: 'vxlan' } },
    { text: 'VXLAN', read: { why: '"VXLAN" is not one of auto, direct, vxlan' } },
  ])('$text', ({ text, read }) => {
    expect(readChoice(text, ['auto', 'direct', 'vxlan'])).toEqual(read);
  });
});

describe('readCidrList', () => {
  it.each([
    { text: '10.244.0.0/16', cidrs: ['10.244.0.0/16'] },
    { text: '10.244.0.0/16, fd00:10:244::/56', cidrs: ['10.244.0.0/16', 'fd00:10:244::/56'] },
    { text: ' ,10.244.0.0/16,', cidrs: ['10.244.0.0/16'] },
  ])('reads $text', ({ text, cidrs }) => {
    const read = readCidrList(text);
    expect('value' in read && read.value.map(formatCidr)).toEqual(cidrs);
  });

  it.each([
    { text: ' , ', why: /^at least one CIDR is required$/ },
    { text: '10.244.0.0', why: /10\.244\.0\.0.*address\/prefix/ },
    { text: '10.244.1.0/16,x/8', why: /host bits are set.*; .*"x" is not an IP address/ },
  ])('rejects $text', ({ text, why }) => {
    const read = readCidrList(text);
    expect('why' in read && read.why).toMatch(why);
  });
});
