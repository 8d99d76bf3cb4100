import { Transform } from 'node:stream';

// A `#!` line longer than this is not an interpreter line (Linux itself reads 256 bytes).
const MAX_FIRST_LINE = 4096;

/**
 * A stream that replaces the first line of a script (`#!/usr/local/bin/node`) with `line` and
 * passes the rest through untouched, chunk by chunk. Only the first line is ever buffered. A
 * source that does not start with `#!` is refused: rewriting a binary's first "line" would
 * corrupt it.
 */
export function rewriteFirstLine(line: string, source: string): Transform {
  let head: Buffer | undefined = Buffer.alloc(0);
  const replacement = Buffer.from(`${line}\n`);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (head === undefined) return done(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length >= 2 && (head[0] !== 0x23 || head[1] !== 0x21)) {
        return done(notAScript(source));
      }
      const newline = head.indexOf(0x0a);
      if (newline === -1) {
        if (head.length > MAX_FIRST_LINE) return done(notAScript(source));
        return done();
      }
      const rest = head.subarray(newline + 1);
      head = undefined;
      done(null, Buffer.concat([replacement, rest]));
    },
    flush(done) {
      if (head === undefined) return done();
      done(notAScript(source));
    },
  });
}

function notAScript(source: string): Error {
  return new Error(
    `${source} does not start with a "#!" line ending in a newline, so its interpreter cannot be rewritten (is it a Loom bundle?)`,
  );
}
