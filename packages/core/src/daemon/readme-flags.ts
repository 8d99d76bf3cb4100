import { readFile, writeFile } from 'node:fs/promises';
import type { FlagTable } from './flag-table.ts';
import { flagMarkdown } from './flag-usage.ts';

/** The markers around the generated flag table in a package README. */
export const README_FLAGS_BEGIN = '<!-- flags:begin -->';
export const README_FLAGS_END = '<!-- flags:end -->';

/** The README's flag table (between the markers, trimmed), or undefined without markers. */
export function readmeFlagSection(readme: string): string | undefined {
  const begin = readme.indexOf(README_FLAGS_BEGIN);
  const end = readme.indexOf(README_FLAGS_END, begin);
  if (begin < 0 || end < 0) return undefined;
  return readme.slice(begin + README_FLAGS_BEGIN.length, end).trim();
}

/** `readme` with the table rendered from `table` between its markers. */
export function withReadmeFlagSection(readme: string, table: FlagTable): string {
  const begin = readme.indexOf(README_FLAGS_BEGIN);
  const end = readme.indexOf(README_FLAGS_END, begin);
  if (begin < 0 || end < 0) {
    throw new Error(`no ${README_FLAGS_BEGIN} … ${README_FLAGS_END} block for ${table.command}`);
  }
  const section = `${README_FLAGS_BEGIN}\n\n${flagMarkdown(table)}\n\n`;
  return `${readme.slice(0, begin)}${section}${readme.slice(end)}`;
}

export interface ReadmeFlagsCheck {
  /** The table rendered from the code. */
  readonly expected: string;
  /** What the README holds between its markers (after the update, with `update`). */
  readonly actual: string | undefined;
}

/**
 * For a test keeping a README's flag section in step with its table: returns both sides to
 * compare. With `update` (default: LOOM_UPDATE_READMES=1 in the environment) it first
 * rewrites the section, which is how the READMEs are regenerated:
 * `LOOM_UPDATE_READMES=1 npx vitest run --project unit <the flags test>`.
 */
export async function checkReadmeFlags(
  readmePath: string,
  table: FlagTable,
  update = process.env.LOOM_UPDATE_READMES === '1',
): Promise<ReadmeFlagsCheck> {
  let readme = await readFile(readmePath, 'utf8');
  if (update) {
    const updated = withReadmeFlagSection(readme, table);
    if (updated !== readme) await writeFile(readmePath, updated);
    readme = updated;
  }
  return { expected: flagMarkdown(table), actual: readmeFlagSection(readme) };
}
