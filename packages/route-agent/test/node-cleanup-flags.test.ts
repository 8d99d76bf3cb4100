import { fileURLToPath } from 'node:url';
import { checkReadmeFlags } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { NODE_CLEANUP_FLAG_TABLE } from '../src/node-cleanup-flags.ts';

// loom-node-cleanup's flags live in their own page: a README holds one generated flag block.
const DOC = fileURLToPath(new URL('../docs/node-cleanup.md', import.meta.url));

describe('loom-node-cleanup flags', () => {
  // To regenerate: LOOM_UPDATE_READMES=1 npx vitest run --project unit packages/route-agent/test/node-cleanup-flags.test.ts
  it("keeps the doc's flag table in step with the flags", async () => {
    const { expected, actual } = await checkReadmeFlags(DOC, NODE_CLEANUP_FLAG_TABLE);
    expect(actual).toBe(expected);
  });
});
