import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export type CniJson = Record<string, unknown>;

/** A network configuration list as libcni loads it: `bytes` is what its result cache stores. */
export interface CniNetworkList {
  name: string;
  cniVersion: string;
  plugins: CniJson[];
  bytes: string;
  /** The file it came from, for messages. */
  file: string;
}

export type CniConfigLoad = { ok: true; list: CniNetworkList } | { ok: false; message: string };

/** containerd's message while no config is loaded (go-cni ErrCNINotInitialized). */
export const CNI_NOT_INITIALIZED = 'cni plugin not initialized';

const EXTENSIONS = new Set(['.conf', '.conflist', '.json']);

/** go-cni's built-in loopback network, run for `lo` before the conf dir's network. */
export const LOOPBACK_LIST: CniNetworkList = (() => {
  const raw = { cniVersion: '0.3.1', name: 'cni-loopback', plugins: [{ type: 'loopback' }] };
  return { ...raw, bytes: JSON.stringify(raw), file: '(built-in)' };
})();

function pluginsOf(raw: CniJson, file: string): CniJson[] {
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) {
    throw new Error(`CNI config list in config file ${file} has no networks`);
  }
  return raw.plugins.map((plugin, i) => {
    if (typeof plugin !== 'object' || plugin === null || typeof plugin.type !== 'string') {
      throw new Error(`plugins[${i}] of ${file} has no "type"`);
    }
    return plugin as CniJson;
  });
}

/** libcni ConfListFromBytes / ConfListFromConf: a `.conflist`, or a single-plugin `.conf`. */
export function parseCniConfig(text: string, file: string): CniNetworkList {
  let raw: CniJson;
  try {
    raw = JSON.parse(text) as CniJson;
  } catch (error) {
    throw new Error(`failed to load CNI config file ${file}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`CNI config file ${file} is not a JSON object`);
  }
  if (typeof raw.name !== 'string' || raw.name === '') {
    throw new Error(`CNI config file ${file} has no "name"`);
  }
  const cniVersion = typeof raw.cniVersion === 'string' ? raw.cniVersion : '0.1.0';
  if (file.endsWith('.conflist')) {
    return { name: raw.name, cniVersion, plugins: pluginsOf(raw, file), bytes: text, file };
  }
  // Also catches a conflist put into a .conf file (go-cni does the same check).
  if (typeof raw.type !== 'string' || raw.type === '') {
    throw new Error(`network type not found in ${file}`);
  }
  const list = { cniVersion, name: raw.name, plugins: [raw] };
  return { ...list, bytes: JSON.stringify(list), file };
}

/**
 * The network containerd would use (max_conf_num 1): the lexicographically first
 * `.conf`/`.conflist`/`.json` of the conf dir. An invalid first file is an error, not skipped.
 */
export function loadCniConfig(confDir: string): CniConfigLoad {
  let names: string[];
  try {
    names = readdirSync(confDir).filter((name) => EXTENSIONS.has(extname(name)));
  } catch {
    names = [];
  }
  const files = names
    .map((name) => join(confDir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true)
    .sort();
  const first = files[0];
  if (first === undefined) return { ok: false, message: CNI_NOT_INITIALIZED };
  try {
    return { ok: true, list: parseCniConfig(readFileSync(first, 'utf8'), first) };
  } catch (error) {
    return { ok: false, message: `failed to load cni config: ${(error as Error).message}` };
  }
}

/** Whether spec version `a` ≥ `b` (`1.0.0` ≥ `0.4.0`); unparsable versions compare as 0. */
export function cniVersionAtLeast(a: string, b: string): boolean {
  const parse = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
