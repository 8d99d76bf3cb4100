// Bit i lives in byte i >> 3 at mask 0x80 >> (i & 7): the serialized bytes then read in
// address order, left to right, like a hex dump of the range.

export function bitmapBytes(size: number): number {
  return Math.ceil(size / 8);
}

export function testBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3]! & (0x80 >> (i & 7))) !== 0;
}

export function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3]! |= 0x80 >> (i & 7);
}

export function clearBit(bits: Uint8Array, i: number): void {
  bits[i >> 3]! &= ~(0x80 >> (i & 7));
}

export function countSetBits(bits: Uint8Array): number {
  let count = 0;
  for (let byte of bits) {
    while (byte !== 0) {
      byte &= byte - 1;
      count++;
    }
  }
  return count;
}

/** The first clear bit at or after `from`, wrapping round to 0; -1 when all `size` are set. */
export function findClearBit(bits: Uint8Array, size: number, from: number): number {
  const start = from >= 0 && from < size ? from : 0;
  const found = findClearIn(bits, start, size);
  return found !== -1 ? found : findClearIn(bits, 0, start);
}

function findClearIn(bits: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    // Whole full bytes are skipped, so a nearly full /16 is scanned a byte at a time.
    if ((i & 7) === 0 && bits[i >> 3] === 0xff) {
      i += 8;
      continue;
    }
    if (!testBit(bits, i)) return i;
    i++;
  }
  return -1;
}
