import { formatDuration } from './flag-kinds.ts';
import { envNamesOf, type FlagSpec, type FlagTable, flagSynopsis } from './flag-table.ts';

/** The default as a user would type it, or the table's words for a computed one. */
export function defaultShown(spec: FlagSpec): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  switch (spec.kind) {
    case 'boolean':
      return String(spec.default ?? false);
    case 'duration':
      return spec.default === undefined ? undefined : formatDuration(spec.default);
    case 'cidrs':
      return spec.default?.join(',');
    case 'repeatable':
      return spec.default?.join(spec.separator ?? ' ');
    default:
      return spec.default === undefined ? undefined : String(spec.default);
  }
}

// The help texts mark code with backticks for the README; a terminal shows them bare.
const plain = (text: string) => text.replaceAll('`', '');

/** `--help`: the usage line, what the command does, then one line per flag. */
export function flagUsage(table: FlagTable): string {
  const rows = Object.entries(table.flags).map(([name, spec]) => {
    const shown = defaultShown(spec);
    const also = spec.env?.length ? ` (also ${spec.env.join(', ')})` : '';
    const required = spec.kind === 'string' && spec.required ? '; required' : '';
    const fallback = shown === undefined ? '' : ` (default ${plain(shown)})`;
    return [`  ${flagSynopsis(name, spec)}`, `${plain(spec.help)}${also}${required}${fallback}`];
  });
  rows.push(['  --help', 'print this help']);
  const width = Math.max(...rows.map(([left]) => left!.length)) + 2;
  return [
    `Usage: ${table.command} ${table.synopsis}`,
    '',
    ...table.description.split('\n'),
    ...envSentence(table),
    '',
    ...rows.map(([left, right]) => `${left!.padEnd(width)}${right}`),
    '',
  ].join('\n');
}

function envSentence(table: FlagTable): string[] {
  const [first] = Object.keys(table.flags);
  if (table.envPrefix === undefined || first === undefined) return [];
  const example = envNamesOf(table, first)[0];
  return [
    '',
    `Every flag can also be set as ${table.envPrefix}<FLAG> (${example} for --${first}); the flag wins.`,
  ];
}

/**
 * The README's flag section: a markdown table of every flag, its variables, its default and
 * its help, padded as prettier pads tables so a formatter leaves it alone.
 */
export function flagMarkdown(table: FlagTable): string {
  const withEnv = Object.keys(table.flags).some((name) => envNamesOf(table, name).length > 0);
  const header = withEnv ? ['Flag', 'Environment', 'Default', ''] : ['Flag', 'Default', ''];
  const rows = Object.entries(table.flags).map(([name, spec]) => {
    const env = envNamesOf(table, name).map(code).join(', ');
    const shown = defaultShown(spec);
    const fallback =
      shown === undefined ? '' : spec.defaultText !== undefined ? shown : code(shown);
    const required = spec.kind === 'string' && spec.required ? '; required' : '';
    const cells = [code(flagSynopsis(name, spec)), fallback, `${spec.help}${required}`];
    if (withEnv) cells.splice(1, 0, env);
    return cells.map((cell) => cell.replaceAll('|', '\\|'));
  });
  return markdownTable([header, ...rows]);
}

const code = (text: string) => `\`${text}\``;

function markdownTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) =>
    Math.max(3, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header!), rule, ...body.map(line)].join('\n');
}
