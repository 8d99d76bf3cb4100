import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skipOrFailInCi } from '@loom-net/core/testing/prerequisites';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, findKubectl, RENDERED, renderDeploy } from '../../../../deploy/render.ts';

const kubectl = findKubectl();
const skip = skipOrFailInCi(kubectl === undefined ? 'no kubectl (lab cache or PATH)' : undefined);

describe.skipIf(skip !== undefined)(`deploy/*.yaml${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(RENDERED)('$file is what deploy/$kustomization renders now', async ({ file }) => {
    const rendered = await renderDeploy(kubectl ?? '');
    const committed = await readFile(join(DEPLOY_DIR, file), 'utf8');
    // On a difference: npm run deploy:render, and commit the result.
    expect(committed).toBe(rendered.get(file));
  });
});
