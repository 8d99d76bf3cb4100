// sha256 digests (image-spec descriptor.md: `sha256:<64 hex>`), for bytes in memory and for
// streams counted as they pass.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export type Digest = `sha256:${string}`;

export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The hex part of a digest: the blob's file name under blobs/sha256/. */
export function digestHex(digest: Digest): string {
  const hex = digest.slice('sha256:'.length);
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return hex;
}

export interface DigestingStream {
  /** Pass-through: pipe the data through it. */
  stream: Transform;
  /** The digest and byte count of what has passed; call once the stream has ended. */
  result(): { digest: Digest; size: number };
}

/** A pass-through stream that hashes and counts what flows through it. */
export function digestingStream(): DigestingStream {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.byteLength;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ digest: `sha256:${hash.digest('hex')}`, size }) };
}

/** A JSON document as the bytes a blob holds (compact, keys in the order given), with its digest. */
export function jsonBlob(value: unknown): { bytes: Buffer; digest: Digest; size: number } {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, digest: sha256Digest(bytes), size: bytes.byteLength };
}
