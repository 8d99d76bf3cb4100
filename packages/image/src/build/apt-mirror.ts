// Which Debian mirror the root filesystem comes from, and which state of it: the mirror is the
// one this machine's apt uses (so a build behind a proxy or a local mirror works as apt does),
// and the state is the suite's Release `Date:`, which keys the root filesystem cache and
// becomes mmdebstrap's SOURCE_DATE_EPOCH.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/**
 * The first `URIs:` (deb822 .sources) or `deb <uri>` (sources.list) line that serves `suite`
 * from a Debian archive (a URI ending in /debian); DEFAULT_MIRROR when there is none.
 */
export function aptMirror(suite: string, aptDir = '/etc/apt'): string {
  for (const text of aptSourceFiles(aptDir)) {
    const found = mirrorInSources(text, suite);
    if (found) return found;
  }
  return DEFAULT_MIRROR;
}

function aptSourceFiles(aptDir: string): string[] {
  const files = [join(aptDir, 'sources.list')];
  try {
    const dir = join(aptDir, 'sources.list.d');
    files.push(
      ...readdirSync(dir)
        .sort()
        .map((name) => join(dir, name)),
    );
  } catch {}
  return files.flatMap((file) => {
    try {
      return [readFileSync(file, 'utf8')];
    } catch {
      return [];
    }
  });
}

/** The Debian mirror serving `suite` in one apt sources file of either format. */
export function mirrorInSources(text: string, suite: string): string | undefined {
  const isDebian = (uri: string) => /^https?:\/\/.+\/debian\/?$/.test(uri);
  for (const line of text.split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] !== 'deb') continue;
    const rest = words.slice(1).filter((word) => !word.startsWith('['));
    if (rest[0] && isDebian(rest[0]) && rest[1] === suite) return rest[0].replace(/\/$/, '');
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) =>
      new RegExp(`^${name}:\\s*(.+)$`, 'mi')
        .exec(stanza.replace(/^#.*$/gm, ''))?.[1]
        ?.split(/\s+/) ?? [];
    if (!field('Types').includes('deb') || !field('Suites').includes(suite)) continue;
    const uri = field('URIs').find(isDebian);
    if (uri) return uri.replace(/\/$/, '');
  }
  return undefined;
}

/** The `Date:` of `<mirror>/dists/<suite>/InRelease`, in seconds since the epoch. */
export async function releaseDate(mirror: string, suite: string): Promise<number> {
  const url = `${mirror}/dists/${suite}/InRelease`;
  let text: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    throw new Error(`cannot read ${url}: ${(error as Error).message}`, { cause: error });
  }
  return parseReleaseDate(text, url);
}

export function parseReleaseDate(text: string, from: string): number {
  const date = /^Date:\s*(.+)$/m.exec(text)?.[1];
  const seconds = date ? Date.parse(date) / 1000 : Number.NaN;
  if (!Number.isFinite(seconds)) throw new Error(`${from} has no valid Date: field`);
  return seconds;
}
