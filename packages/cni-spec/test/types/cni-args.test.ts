import { describe, expect, it } from 'vitest';
import { formatCniArgs, parseCniArgs } from '../../src/types/cni-args.ts';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';

describe('parseCniArgs', () => {
  it('splits pairs and keeps "=" in values', () => {
    expect([...parseCniArgs('A=1;;B=x=y;')]).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
    ]);
  });

  it('refuses a pair without a key with code 4', () => {
    expect(() => parseCniArgs('=1')).toThrow(
      expect.objectContaining<Partial<CniError>>({ code: CNI_ERROR.invalidEnvironment }),
    );
  });
});

describe('formatCniArgs', () => {
  it('joins the pairs in order, which parseCniArgs reads back', () => {
    const pairs: [string, string][] = [
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAME', 'web-0'],
    ];
    expect(formatCniArgs(pairs)).toBe('IgnoreUnknown=1;K8S_POD_NAME=web-0');
    expect([...parseCniArgs(formatCniArgs(pairs))]).toEqual(pairs);
  });
});
