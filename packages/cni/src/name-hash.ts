// Names derived from attachments and networks need a stable, well-spread digest, not a
// cryptographic one; node:crypto alone costs ~5 ms of start-up, paid on every CNI call.
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, of the UTF-8 bytes of `text`, as 16 hex digits. */
export function nameHash(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK;
  return hash.toString(16).padStart(16, '0');
}

/** Six random bytes for a MAC address (uniqueness on one bridge, not secrecy, is the need). */
export function randomMacBytes(): number[] {
  return Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
}
