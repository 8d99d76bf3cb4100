// A `#!` line longer than this is not an interpreter line (Linux itself reads 256 bytes).
const MAX_FIRST_LINE = 4096;

/** Turns a file's chunks into the chunks of the installed file. */
export type ChunkRewrite = (chunks: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/**
 * Replaces the first line of a script (`#!/usr/local/bin/node`) with `line` and passes the rest
 * through untouched, chunk by chunk: only the first line is ever held. A source that does not
 * start with `#!` is refused, since rewriting a binary's first "line" would corrupt it.
 * Chunks may be reused by the producer once the next one is asked for, so none is kept.
 */
export function rewriteFirstLine(line: string, source: string): ChunkRewrite {
  const replacement = Buffer.from(`${line}\n`);
  return async function* rewrite(chunks) {
    let head: Buffer | undefined = Buffer.alloc(0);
    for await (const chunk of chunks) {
      if (head === undefined) {
        yield chunk;
        continue;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length >= 2 && (head[0] !== 0x23 || head[1] !== 0x21)) throw notAScript(source);
      const newline = head.indexOf(0x0a);
      if (newline === -1) {
        if (head.length > MAX_FIRST_LINE) throw notAScript(source);
        continue;
      }
      const rest = head.subarray(newline + 1);
      head = undefined;
      yield replacement;
      if (rest.length > 0) yield rest;
    }
    if (head !== undefined) throw notAScript(source);
  };
}

function notAScript(source: string): Error {
  return new Error(
    `${source} does not start with a "#!" line ending in a newline, so its interpreter cannot be rewritten (is it a Loom bundle?)`,
  );
}
