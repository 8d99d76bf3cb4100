import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ALL_CNI_VERSIONS, compareVersions, isVersion } from '../version/cni-version.ts';

/** One plugin's entry of a network configuration list: `type` plus its own keys. */
export type CniPluginConf = Record<string, unknown> & { type: string };

/** A network configuration list as libcni loads it (libcni NetworkConfigList). */
export interface CniNetworkList {
  name: string;
  cniVersion: string;
  /** CHECK is skipped for this network. */
  disableCheck: boolean;
  /** GC is skipped for this network. */
  disableGC: boolean;
  plugins: CniPluginConf[];
  /** The list's JSON as loaded: what the result cache keeps, to DEL with it later. */
  bytes: string;
  /** The file it came from, for messages. */
  file: string;
}

export type CniConfigLoad = { ok: true; list: CniNetworkList } | { ok: false; message: string };

type Json = Record<string, unknown>;

/** containerd's message while no configuration is loaded (go-cni ErrCNINotInitialized). */
export const CNI_NOT_INITIALIZED = 'cni plugin not initialized';

/** The extensions libcni's ConfFiles reads. */
export const CONFIG_EXTENSIONS: readonly string[] = ['.conf', '.conflist', '.json'];

function pluginsOf(raw: Json, file: string): CniPluginConf[] {
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) {
    throw new Error(`CNI config list in config file ${file} has no networks`);
  }
  return raw.plugins.map((plugin, i) => {
    if (typeof plugin !== 'object' || plugin === null || typeof plugin.type !== 'string') {
      throw new Error(`plugins[${i}] of ${file} has no "type"`);
    }
    return plugin as CniPluginConf;
  });
}

// SPEC.md section 1: `cniVersions` lists the versions the file is valid for; the runtime takes
// the highest it knows, else `cniVersion`. No version at all means 0.1.0 to libcni.
function versionOf(raw: Json, file: string): string {
  const known = Array.isArray(raw.cniVersions)
    ? raw.cniVersions.filter((v): v is string =>
        (ALL_CNI_VERSIONS as readonly string[]).includes(v),
      )
    : [];
  if (known.length > 0) return known.sort(compareVersions).at(-1)!;
  const version = raw.cniVersion ?? '0.1.0';
  if (!isVersion(version)) {
    throw new Error(`CNI config file ${file} has an invalid cniVersion ${JSON.stringify(version)}`);
  }
  return version;
}

function listOf(raw: Json, plugins: CniPluginConf[], bytes: string, file: string): CniNetworkList {
  return {
    name: raw.name as string,
    cniVersion: versionOf(raw, file),
    disableCheck: raw.disableCheck === true,
    disableGC: raw.disableGC === true,
    plugins,
    bytes,
    file,
  };
}

/** libcni ConfListFromBytes / ConfListFromConf: a `.conflist`, or a single-plugin `.conf`. */
export function parseNetworkList(text: string, file: string): CniNetworkList {
  let raw: Json;
  try {
    raw = JSON.parse(text) as Json;
  } catch (error) {
    throw new Error(`failed to load CNI config file ${file}: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`CNI config file ${file} is not a JSON object`);
  }
  if (typeof raw.name !== 'string' || raw.name === '') {
    throw new Error(`CNI config file ${file} has no "name"`);
  }
  if (file.endsWith('.conflist')) return listOf(raw, pluginsOf(raw, file), text, file);
  // Also catches a conflist put into a .conf file (go-cni does the same check).
  if (typeof raw.type !== 'string' || raw.type === '') {
    throw new Error(`network type not found in ${file}`);
  }
  const list = { cniVersion: versionOf(raw, file), name: raw.name, plugins: [raw] };
  return listOf(list, [raw as CniPluginConf], JSON.stringify(list), file);
}

/** libcni ConfFiles: the configuration files of `dir`, sorted by name; none when it is missing. */
export function configFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => CONFIG_EXTENSIONS.includes(extname(name)));
  } catch {
    names = [];
  }
  return names
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true)
    .sort();
}

/**
 * The network containerd uses (max_conf_num 1): the lexicographically first configuration
 * file of `dir`. An invalid first file is an error, not skipped.
 */
export function loadFirstNetworkList(dir: string): CniConfigLoad {
  const first = configFiles(dir)[0];
  if (first === undefined) return { ok: false, message: CNI_NOT_INITIALIZED };
  try {
    return { ok: true, list: parseNetworkList(readFileSync(first, 'utf8'), first) };
  } catch (error) {
    return { ok: false, message: `failed to load cni config: ${(error as Error).message}` };
  }
}
