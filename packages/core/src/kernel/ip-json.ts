/**
 * What iproute2's `-json` output holds, typed: the fields Loom reads, under iproute2's own
 * names so that `ip -json …` in a terminal shows the same thing. The parsers take the parsed
 * JSON as `unknown` and keep an entry's field only when it has the documented type: a
 * malformed field reads as absent rather than as a wrong value, and an entry without its key
 * (`ifname`, `dst`, `mac`) is skipped.
 */

/** One address of a link (`addr_info` of `ip -json address show`). */
export interface IpAddrInfoJson {
  /** `inet` or `inet6`. */
  readonly family?: string;
  readonly local: string;
  readonly prefixlen: number;
  /** `global`, `link`, `host`; with `-Numeric`, a number as text. */
  readonly scope?: string;
}

/** `-details`: the link's kind and its kind's settings (a VXLAN device's `id`, `local`, `port`, `learning`). */
export interface IpLinkInfoJson {
  readonly info_kind?: string;
  readonly info_data?: Readonly<Record<string, unknown>>;
  /** A port's settings on its master (a bridge port's `hairpin`). */
  readonly info_slave_data?: Readonly<Record<string, unknown>>;
}

export interface IpLinkCountersJson {
  readonly bytes?: number;
  readonly packets?: number;
  readonly errors?: number;
  readonly dropped?: number;
}

/** One link of `ip -json link show` or `ip -json address show` (which adds `addr_info`). */
export interface IpLinkJson {
  readonly ifname: string;
  readonly ifindex?: number;
  /** `UP`, `LOWER_UP`, `BROADCAST`, …; empty when none. */
  readonly flags: readonly string[];
  readonly mtu?: number;
  readonly operstate?: string;
  /** The bridge (or bond) the link is a port of. */
  readonly master?: string;
  /** The MAC address. */
  readonly address?: string;
  readonly linkinfo?: IpLinkInfoJson;
  /** Empty for `link show`. */
  readonly addr_info: readonly IpAddrInfoJson[];
  /** `-statistics`. */
  readonly stats64?: { readonly rx: IpLinkCountersJson; readonly tx: IpLinkCountersJson };
}

/** One route of `ip -json route show`. */
export interface IpRouteJson {
  /** `default` for a /0, a CIDR, or an address without its prefix for a host route. */
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: string;
  /** A name (`kernel`, `static`) or, with `-Numeric`, the number as text (`76`); absent for `boot`. */
  readonly protocol?: string;
  readonly scope?: string;
  readonly prefsrc?: string;
  readonly metric?: number;
  /** Only outside `main` (`table all`: `local`). */
  readonly table?: string;
  /** Only for routes that are not unicast: `local`, `broadcast`, `multicast`, … */
  readonly type?: string;
  /** `onlink`, `linkdown`, …; empty when none. */
  readonly flags: readonly string[];
}

/** One entry of `ip -json neigh show`. */
export interface IpNeighbourJson {
  readonly dst: string;
  /** Absent when the listing was for one `dev`. */
  readonly dev?: string;
  /** The MAC address; absent while unresolved. */
  readonly lladdr?: string;
  /** `PERMANENT`, `REACHABLE`, `STALE`, `FAILED`, … */
  readonly state: readonly string[];
}

/** One entry of `bridge -json fdb show`. */
export interface BridgeFdbJson {
  readonly mac: string;
  /** A VXLAN entry's remote VTEP. */
  readonly dst?: string;
  readonly dev?: string;
  /** `self`, `master`, … */
  readonly flags: readonly string[];
  /** `permanent`, `static`; absent for learned entries. */
  readonly state?: string;
}

type JsonObject = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const count = (value: unknown) => (typeof value === 'number' ? value : undefined);
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const object = (value: unknown) => (isObject(value) ? value : undefined);

/** Thrown when the output is not a list at all; the runner wraps it to name the command. */
export class IpJsonShapeError extends TypeError {
  constructor(what: string) {
    super(`expected a list of ${what}`);
    this.name = 'IpJsonShapeError';
  }
}

function entriesOf(output: unknown, what: string): JsonObject[] {
  if (!Array.isArray(output)) throw new IpJsonShapeError(what);
  return output.filter(isObject);
}

// Drops the keys whose value is undefined, so entries compare equal to what ip printed.
function defined<T extends object>(entry: T): T {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as T;
}

/** True when the link exists and is administratively up (`UP` among its flags). */
export function isLinkUp(link: IpLinkJson | undefined): boolean {
  return link?.flags.includes('UP') === true;
}

export function parseIpLinks(output: unknown): IpLinkJson[] {
  return entriesOf(output, 'links').flatMap((entry) => {
    const ifname = text(entry.ifname);
    if (ifname === undefined) return [];
    return defined<IpLinkJson>({
      ifname,
      ifindex: count(entry.ifindex),
      flags: texts(entry.flags),
      mtu: count(entry.mtu),
      operstate: text(entry.operstate),
      master: text(entry.master),
      address: text(entry.address),
      linkinfo: linkInfoOf(entry.linkinfo),
      addr_info: Array.isArray(entry.addr_info) ? entry.addr_info.flatMap(addrInfoOf) : [],
      stats64: statsOf(entry.stats64),
    });
  });
}

function linkInfoOf(value: unknown): IpLinkInfoJson | undefined {
  const info = object(value);
  if (info === undefined) return undefined;
  return defined<IpLinkInfoJson>({
    info_kind: text(info.info_kind),
    info_data: object(info.info_data),
    info_slave_data: object(info.info_slave_data),
  });
}

function addrInfoOf(value: unknown): IpAddrInfoJson[] {
  const info = object(value);
  const local = text(info?.local);
  const prefixlen = count(info?.prefixlen);
  if (local === undefined || prefixlen === undefined) return [];
  return [defined({ family: text(info?.family), local, prefixlen, scope: text(info?.scope) })];
}

function statsOf(value: unknown): IpLinkJson['stats64'] {
  const stats = object(value);
  if (stats === undefined) return undefined;
  return { rx: countersOf(stats.rx), tx: countersOf(stats.tx) };
}

function countersOf(value: unknown): IpLinkCountersJson {
  const counters = object(value) ?? {};
  return defined({
    bytes: count(counters.bytes),
    packets: count(counters.packets),
    errors: count(counters.errors),
    dropped: count(counters.dropped),
  });
}

export function parseIpRoutes(output: unknown): IpRouteJson[] {
  return entriesOf(output, 'routes').flatMap((entry) => {
    const dst = text(entry.dst);
    if (dst === undefined) return [];
    return defined<IpRouteJson>({
      dst,
      gateway: text(entry.gateway),
      dev: text(entry.dev),
      protocol: text(entry.protocol),
      scope: text(entry.scope),
      prefsrc: text(entry.prefsrc),
      metric: count(entry.metric),
      table: text(entry.table),
      type: text(entry.type),
      flags: texts(entry.flags),
    });
  });
}

export function parseIpNeighbours(output: unknown): IpNeighbourJson[] {
  return entriesOf(output, 'neighbours').flatMap((entry) => {
    const dst = text(entry.dst);
    if (dst === undefined) return [];
    return defined<IpNeighbourJson>({
      dst,
      dev: text(entry.dev),
      lladdr: text(entry.lladdr),
      state: texts(entry.state),
    });
  });
}

export function parseBridgeFdb(output: unknown): BridgeFdbJson[] {
  return entriesOf(output, 'FDB entries').flatMap((entry) => {
    const mac = text(entry.mac);
    if (mac === undefined) return [];
    return defined<BridgeFdbJson>({
      mac,
      dst: text(entry.dst),
      dev: text(entry.dev),
      flags: texts(entry.flags),
      state: text(entry.state),
    });
  });
}
