import { describe, expect, it } from 'vitest';
import { createLogLineSplitter, formatLogRecord } from '../../src/container/cri-log-format.ts';
import { formatRfc3339Nano } from '../../src/cri/clock.ts';

function split(chunks: string[], maxLine?: number) {
  const splitter = createLogLineSplitter(maxLine);
  const records = chunks.flatMap((chunk) => splitter.push(Buffer.from(chunk)));
  records.push(...splitter.end());
  return records.map((r) => `${r.tag} ${r.content.toString()}`);
}

describe('CRI log records (containerd redirectLogs)', () => {
  it.each([
    { name: 'one full line', chunks: ['hello\n'], records: ['F hello'] },
    {
      name: 'lines across chunks',
      chunks: ['he', 'llo\nwor', 'ld\n'],
      records: ['F hello', 'F world'],
    },
    { name: 'CRLF is dropped', chunks: ['dos\r\n'], records: ['F dos'] },
    { name: 'empty lines stay', chunks: ['\n\n'], records: ['F ', 'F '] },
    {
      name: 'an unterminated tail at EOF is partial',
      chunks: ['done\ntail'],
      records: ['F done', 'P tail'],
    },
    { name: 'a line of exactly max is full', chunks: ['abcd\n'], max: 4, records: ['F abcd'] },
    {
      name: 'longer lines split into P chunks, then F',
      chunks: ['abcdefghij\n'],
      max: 4,
      records: ['P abcd', 'P efgh', 'F ij'],
    },
    {
      name: 'a long line split across chunks',
      chunks: ['abc', 'def\nxy\n'],
      max: 4,
      records: ['P abcd', 'F ef', 'F xy'],
    },
    { name: 'CRLF after a line of exactly max', chunks: ['abcd\r\n'], max: 4, records: ['F abcd'] },
  ])('$name', ({ chunks, max, records }) => {
    expect(split(chunks, max)).toEqual(records);
  });

  it('formats `<time> <stream> <tag> <content>`', () => {
    const line = formatLogRecord('2026-01-02T03:04:05.5Z', 'stderr', {
      tag: 'F',
      content: Buffer.from('x'),
    });
    expect(line.toString()).toBe('2026-01-02T03:04:05.5Z stderr F x\n');
  });
});

describe('formatRfc3339Nano (Go time.RFC3339Nano in UTC)', () => {
  it.each([
    { ns: 1_767_323_045_123_456_789n, text: '2026-01-02T03:04:05.123456789Z' },
    { ns: 1_767_323_045_120_000_000n, text: '2026-01-02T03:04:05.12Z' },
    { ns: 1_767_323_045_000_000_000n, text: '2026-01-02T03:04:05Z' },
  ])('$ns → $text', ({ ns, text }) => {
    expect(formatRfc3339Nano(ns)).toBe(text);
  });
});
