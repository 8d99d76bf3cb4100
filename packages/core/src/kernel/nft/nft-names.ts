import { NftInputError } from './nft-input-error.ts';

/**
 * The longest table, chain, set or map name the kernel takes: NFT_NAME_MAXLEN (and
 * NFT_CHAIN_MAXNAMELEN, NFT_SET_MAXNAMELEN) is 256 bytes with the terminating NUL. Measured
 * on kernel 6.18: 255 bytes load, 256 fail with "Numerical result out of range".
 */
export const NFT_NAME_MAX_BYTES = 255;

/** The longest comment nft accepts ("comment too long, 128 characters maximum allowed"), in bytes. */
export const NFT_COMMENT_MAX_BYTES = 128;

// nft's scanner reads an identifier as a letter or '_' followed by letters, digits and
// `/ - _ .`; anything else needs quotes, and nft 1.0.6 refuses quoted names where it expects one.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

/**
 * Words nft reads as keywords wherever a name is expected, so `add chain inet t counter` is a
 * syntax error. Measured by adding every word of nft's scanner as a chain name with nft
 * 1.0.6 (Debian 12, Loom's image); the last words are keywords of later nft releases.
 */
const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'accept add ah all and arp auto-merge bridge cgroup chain comment comp constant continue ' +
    'counter cpu create ct day dccp define delete describe device devices dnat drop dst dup ' +
    'dynamic ecn element elements eq esp ether exists expires export exthdr fib flags flow ' +
    'flowtable flush frag fwd gc-interval ge get goto gt handle hbh hook hour ibriport ibrname ' +
    'icmp icmpv6 igmp iif iifgroup iifname iiftype import include index inet insert interval ' +
    'ip ip6 ipsec jhash jump le limit list log lshift lt map mark masquerade meta meter mh ' +
    'missing monitor ne netdev nftrace not notrack numgen obriport obrname offload oif ' +
    'oifgroup oifname oiftype or osf pkttype policy position priority queue quota random ' +
    'redefine redirect reject rename replace reset return rshift rt rt0 rt2 rtclassid rule ' +
    'ruleset sctp secmark set size skgid skuid snat socket srh symhash synproxy table tcp th ' +
    'time timeout tproxy type typeof udp udplite undefine update vlan vmap xor xt ' +
    'destroy last tunnel vxlan vni geneve gre gretap'
  ).split(' '),
);

export function isNftKeyword(word: string): boolean {
  return KEYWORDS.has(word);
}

/** Why `name` cannot name an nft object, or undefined when it can. */
export function nftNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (!IDENTIFIER.test(name)) {
    return `${JSON.stringify(name)} is not an nft name: start with a letter or '_', then use letters, digits, '_', '-', '.', '/'`;
  }
  if (Buffer.byteLength(name) > NFT_NAME_MAX_BYTES) {
    return `the name is ${Buffer.byteLength(name)} bytes, the kernel takes at most ${NFT_NAME_MAX_BYTES}`;
  }
  if (KEYWORDS.has(name)) return `${JSON.stringify(name)} is an nft keyword`;
  return undefined;
}

/** Throws NftInputError naming `object` (e.g. `chain inet loom t`) when `name` is not usable. */
export function checkNftName(object: string, name: string): void {
  const problem = nftNameProblem(name);
  if (problem !== undefined) throw new NftInputError(object, problem);
}

/** The length of the hash part of hashedNftName: 8 base32 letters, 40 bits of SHA-256. */
const HASH_CHARS = 8;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// 40 bits as 8 base32 letters: the first five bytes of the digest, five bits at a time.
function base32Of40Bits(bytes: Uint8Array): string {
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let text = '';
  for (let i = HASH_CHARS - 1; i >= 0; i--) text += BASE32[Number((bits >> BigInt(i * 5)) & 31n)];
  return text;
}

// node:crypto is loaded at the first hashed name, not at import: the CNI plugin imports the
// kernel module on every call and never names objects this way.
function sha256(text: string): Uint8Array {
  const crypto = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(text).digest();
}

/** `readable` with every character nft names cannot hold replaced by '_'. */
function nameSafe(readable: string): string {
  return readable.replace(/[^A-Za-z0-9_./-]/g, '_');
}

/**
 * A name for an object that stands for something outside nft (a Service port, an endpoint):
 * `<prefix>-<HASH>-<readable>`, e.g. `svc-ULMVA6XW-ns1/web/tcp/http`. The hash (8 base32
 * letters of SHA-256 of `readable`) keeps names unique after characters nft cannot hold are
 * replaced and after the name is cut to the kernel's limit; the readable tail lets a person
 * find the object in `nft list ruleset`. kube-proxy names its chains the same way.
 */
export function hashedNftName(
  prefix: string,
  readable: string,
  maxBytes: number = NFT_NAME_MAX_BYTES,
): string {
  const head = `${prefix}-${base32Of40Bits(sha256(readable))}`;
  checkNftName(`name prefix ${JSON.stringify(prefix)}`, head);
  if (head.length > maxBytes) {
    throw new NftInputError(
      `name prefix ${JSON.stringify(prefix)}`,
      `it leaves no room within ${maxBytes} bytes`,
    );
  }
  // The safe tail is ASCII, so characters are bytes.
  const name = `${head}-${nameSafe(readable)}`;
  return name.slice(0, maxBytes);
}
