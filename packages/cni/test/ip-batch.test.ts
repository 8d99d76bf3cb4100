import { describe, expect, it } from 'vitest';
import { batchWord, batchWords } from '../src/ip-batch.ts';

describe('ip -batch words', () => {
  it.each([
    ['/var/run/netns/cni-1234', '/var/run/netns/cni-1234'],
    ['/proc/42/ns/net', '/proc/42/ns/net'],
    ['/run/pods/pod 1/net', '"/run/pods/pod 1/net"'],
    ['/run/pods/tab\there', '"/run/pods/tab\there"'],
    ['/run/pods/cr\rhere', '"/run/pods/cr\rhere"'],
    ['/run/pods/say "hi" here', `'/run/pods/say "hi" here'`],
    ['/run/pods/a"b', '/run/pods/a"b'],
    ["/run/pods/it's", "/run/pods/it's"],
    ['/run/pods/ends\\', '"/run/pods/ends\\"'],
  ])('writes %j as %j, which reads back as one word', (value, word) => {
    expect(batchWord(value)).toBe(word);
    expect(batchWords(`link add a type veth peer name b netns ${word}`)).toEqual([
      'link',
      'add',
      'a',
      'type',
      'veth',
      'peer',
      'name',
      'b',
      'netns',
      value,
    ]);
  });

  it.each([
    ['a comment sign', '/run/pods/pod#1'],
    ['a line break', '/run/pods/pod\n1'],
    ['whitespace with both quote kinds', `/run/pods/"it's" here`],
    ['nothing', ''],
  ])('cannot write a value holding %s', (_, value) => {
    expect(batchWord(value)).toBeUndefined();
  });

  it('reads lines as iproute2 does: separators, quotes, comments', () => {
    expect(batchWords('  addr  add\t10.0.0.1/24 dev "a b"c  # the rest')).toEqual([
      'addr',
      'add',
      '10.0.0.1/24',
      'dev',
      'a b',
      'c',
    ]);
    expect(batchWords('link show dev x#y')).toEqual(['link', 'show', 'dev', 'x']);
  });
});
