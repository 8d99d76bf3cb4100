import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkReadmeFlags,
  defineFlagTable,
  flagMarkdown,
  readmeFlagSection,
  withReadmeFlagSection,
} from '../../src/daemon/index.ts';

const TABLE = defineFlagTable({
  command: 'loom-example',
  synopsis: '[flags]',
  description: 'An example.',
  envPrefix: 'LOOM_',
  flags: { mode: { kind: 'enum', choices: ['a', 'b'], default: 'a', help: 'mode' } },
});

const README = [
  '# loom-example',
  '',
  '## Flags',
  '',
  '<!-- flags:begin -->',
  '| stale |',
  '<!-- flags:end -->',
  '',
  'After the table.',
  '',
].join('\n');

describe('README flag sections', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loom-readme-flags-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the text between the markers, or nothing without them', () => {
    expect(readmeFlagSection(README)).toBe('| stale |');
    expect(readmeFlagSection('# no markers\n')).toBeUndefined();
  });

  it('replaces only the text between the markers', () => {
    const updated = withReadmeFlagSection(README, TABLE);
    expect(updated).toBe(README.replace('| stale |', `\n${flagMarkdown(TABLE)}\n`));
    expect(readmeFlagSection(updated)).toBe(flagMarkdown(TABLE));
    expect(withReadmeFlagSection(updated, TABLE)).toBe(updated);
  });

  it('refuses a README without markers, naming the command', () => {
    expect(() => withReadmeFlagSection('# x\n', TABLE)).toThrow(/flags:begin.*loom-example/);
  });

  it.each([
    { name: 'reports a stale section as it is', update: false, inStep: false },
    { name: 'rewrites a stale section when asked to', update: true, inStep: true },
  ])('$name', async ({ update, inStep }) => {
    const path = join(dir, `README-${update}.md`);
    await writeFile(path, README);
    const { expected, actual } = await checkReadmeFlags(path, TABLE, update);
    expect(expected).toBe(flagMarkdown(TABLE));
    expect(actual === expected).toBe(inStep);
    expect((await readFile(path, 'utf8')) === README).toBe(!update);
  });
});
