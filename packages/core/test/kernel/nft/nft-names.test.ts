import { describe, expect, it } from 'vitest';
import {
  hashedNftName,
  isNftKeyword,
  NFT_NAME_MAX_BYTES,
  nftNameProblem,
} from '../../../src/kernel/index.ts';

describe('nftNameProblem', () => {
  it.each([
    ['masq-1a2b3c4d5e6f', undefined],
    ['postrouting', undefined],
    ['service-ULMVA6XW-ns1/svc1/tcp/p80', undefined],
    ['_private', undefined],
    ['x'.repeat(NFT_NAME_MAX_BYTES), undefined],
    ['', 'the name is empty'],
    ['x'.repeat(256), 'the name is 256 bytes, the kernel takes at most 255'],
    ['ip', '"ip" is an nft keyword'],
    ['-lead', expect.stringContaining('is not an nft name')],
    ['9lives', expect.stringContaining('is not an nft name')],
    ['has space', expect.stringContaining('is not an nft name')],
    ['quote"d', expect.stringContaining('is not an nft name')],
  ])('%j: %s', (name, problem) => {
    expect(nftNameProblem(name)).toEqual(problem);
  });

  it('knows the keywords measured with nft 1.0.6, not the words it takes as names', () => {
    for (const word of ['counter', 'masquerade', 'jump', 'set', 'elements', 'tcp']) {
      expect(isNftKeyword(word)).toBe(true);
    }
    for (const word of ['filter', 'nat', 'input', 'postrouting', 'services', 'ingress']) {
      expect(isNftKeyword(word)).toBe(false);
    }
  });
});

describe('hashedNftName', () => {
  it('is <prefix>-<8 base32 letters of SHA-256>-<readable>, stable across calls', () => {
    const name = hashedNftName('svc', 'ns1/web/tcp/http');
    expect(name).toMatch(/^svc-[A-Z2-7]{8}-ns1\/web\/tcp\/http$/);
    expect(hashedNftName('svc', 'ns1/web/tcp/http')).toBe(name);
    expect(nftNameProblem(name)).toBeUndefined();
  });

  it("matches kube-proxy's hash for the same text", () => {
    // kube-proxy's nftables proxier names the chain of ns1/svc1:p80 (tcp) this way.
    expect(hashedNftName('service', 'ns1/svc1/tcp/p80')).toBe('service-ULMVA6XW-ns1/svc1/tcp/p80');
  });

  it('keeps names unique when characters are replaced or the tail is cut', () => {
    expect(hashedNftName('ep', 'a:b')).toMatch(/^ep-[A-Z2-7]{8}-a_b$/);
    expect(hashedNftName('ep', 'a:b')).not.toBe(hashedNftName('ep', 'a_b'));
    const long = 'x'.repeat(300);
    const cut = hashedNftName('ep', `${long}1`);
    expect(cut).toHaveLength(NFT_NAME_MAX_BYTES);
    expect(cut).not.toBe(hashedNftName('ep', `${long}2`));
    expect(hashedNftName('ep', long, 20)).toHaveLength(20);
  });

  it('refuses a prefix that cannot start a name, or leaves no room', () => {
    expect(() => hashedNftName('1svc', 'x')).toThrow(/is not an nft name/);
    expect(() => hashedNftName('svc', 'x', 8)).toThrow(/leaves no room within 8 bytes/);
  });
});
