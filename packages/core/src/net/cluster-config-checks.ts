import { familyName, formatIp, type IpAddress, type IpFamily } from './address.ts';
import { type Cidr, contains, firstAddress, formatCidr, lastAddress, overlaps } from './cidr.ts';
import type { GivenNodeMasks } from './cluster-config-fields.ts';
import { type IssueList, quote } from './config-issues.ts';

// Checks across fields of a cluster config; each runs only on fields that parsed.

export const defaultNodeMaskSizes = { ipv4: 24, ipv6: 64 } as const;

/** kube-controller-manager refuses more than 2^16 node blocks per cluster CIDR. */
const maxNodeMaskDiff = 16;

export interface CheckContext {
  readonly issues: IssueList;
  readonly root: string;
  /** Fields the input left out, so their values are defaults: named as such in messages. */
  readonly defaulted: ReadonlySet<string>;
}

/** `serviceCidrs[0]`, or `serviceCidrs[0] (default)` when the input left the field out. */
function described(ctx: CheckContext, field: string, path = field): string {
  return ctx.defaulted.has(field) ? `${path} (default)` : path;
}

const familiesOf = (list: readonly { family: IpFamily }[]) =>
  list.map((item) => familyName(item.family)).join(' and ');

export function checkFamilies(
  ctx: CheckContext,
  pods: readonly Cidr[],
  services: readonly Cidr[],
): void {
  const path = `${ctx.root}.serviceCidrs`;
  const value = services.map(formatCidr);
  const shown = `${quote(value)}${ctx.defaulted.has('serviceCidrs') ? ' (the default)' : ''}`;
  const podsName = described(ctx, 'podCidrs');
  const sameSet =
    pods.length === services.length &&
    pods.every((p) => services.some((s) => s.family === p.family));
  if (!sameSet) {
    const problem = `${shown} is ${familiesOf(services)} but ${podsName} is ${familiesOf(pods)}; both need the same families`;
    ctx.issues.add(path, value, problem);
  } else if (pods[0]!.family !== services[0]!.family) {
    const [service, pod] = [familyName(services[0]!.family), familyName(pods[0]!.family)];
    const problem = `${shown} puts ${service} first but ${podsName} puts ${pod} first; the primary family must match`;
    ctx.issues.add(path, value, problem);
  }
}

export function checkOverlap(
  ctx: CheckContext,
  pods: readonly Cidr[],
  services: readonly Cidr[],
): void {
  // Blame the list the user wrote: a given podCidrs that hits the default services is
  // reported on podCidrs.
  const onPods = ctx.defaulted.has('serviceCidrs') && !ctx.defaulted.has('podCidrs');
  services.forEach((service, i) => {
    pods.forEach((pod, j) => {
      if (!overlaps(service, pod)) return;
      const [here, there] = onPods ? [pod, service] : [service, pod];
      const [path, other] = onPods
        ? [`podCidrs[${j}]`, 'serviceCidrs']
        : [`serviceCidrs[${i}]`, 'podCidrs'];
      const otherPath = `${other}[${onPods ? i : j}]`;
      const problem = `${quote(formatCidr(here))} overlaps ${described(ctx, other, otherPath)} ${formatCidr(there)}`;
      ctx.issues.add(`${ctx.root}.${path}`, formatCidr(here), problem);
    });
  });
}

export function checkDnsIps(
  ctx: CheckContext,
  dnsIps: readonly IpAddress[],
  services: readonly Cidr[],
): void {
  dnsIps.forEach((ip, i) => {
    const path = `${ctx.root}.dnsServiceIps[${i}]`;
    const text = formatIp(ip);
    const j = services.findIndex((s) => s.family === ip.family);
    const service = services[j];
    const where =
      service && `${described(ctx, 'serviceCidrs', `serviceCidrs[${j}]`)} ${formatCidr(service)}`;
    if (service === undefined) {
      ctx.issues.add(
        path,
        text,
        `${quote(text)} has no ${familyName(ip.family)} service CIDR to live in`,
      );
    } else if (!contains(service, ip)) {
      ctx.issues.add(path, text, `${quote(text)} is not inside ${where}`);
    } else if (ip.value === firstAddress(service).value) {
      ctx.issues.add(path, text, `${quote(text)} is the network address of ${where}`);
    } else if (ip.family === 4 && ip.value === lastAddress(service).value) {
      ctx.issues.add(path, text, `${quote(text)} is the broadcast address of ${where}`);
    }
  });
  for (const service of services) {
    if (dnsIps.some((ip) => ip.family === service.family)) continue;
    const value = dnsIps.map(formatIp);
    const problem = `${quote(value)} has no address for the ${familyName(service.family)} service CIDR ${formatCidr(service)}`;
    ctx.issues.add(`${ctx.root}.dnsServiceIps`, value, problem);
  }
}

/** The node mask per pod family, defaults filled in; undefined when one is wrong. */
export function resolveNodeMasks(
  ctx: CheckContext,
  given: GivenNodeMasks,
  pods: readonly Cidr[],
): GivenNodeMasks | undefined {
  const masks: { ipv4?: number; ipv6?: number } = {};
  let ok = true;
  for (const key of ['ipv4', 'ipv6'] as const) {
    const pod = pods.find((p) => p.family === (key === 'ipv4' ? 4 : 6));
    const mask = given[key] ?? (pod ? defaultNodeMaskSizes[key] : undefined);
    if (mask === undefined) continue;
    const problem = nodeMaskProblem(ctx, key, mask, pod);
    if (problem === undefined) {
      masks[key] = mask;
      continue;
    }
    ok = false;
    const shown = given[key] === undefined ? `${mask} (the default)` : `${mask}`;
    ctx.issues.add(`${ctx.root}.nodeMaskSizes.${key}`, mask, `${shown} ${problem}`);
  }
  return ok ? masks : undefined;
}

function nodeMaskProblem(
  ctx: CheckContext,
  key: 'ipv4' | 'ipv6',
  mask: number,
  pod: Cidr | undefined,
) {
  const family = familyName(key === 'ipv4' ? 4 : 6);
  if (pod === undefined) return `is set but ${described(ctx, 'podCidrs')} has no ${family} CIDR`;
  const where = `the ${family} pod CIDR ${formatCidr(pod)}`;
  const max = key === 'ipv4' ? 30 : 126;
  if (mask <= pod.prefix) return `must be longer than the /${pod.prefix} of ${where}`;
  if (mask > max) return `is longer than /${max}, which leaves a node no addresses for pods`;
  if (mask - pod.prefix > maxNodeMaskDiff) {
    return `splits ${where} into 2^${mask - pod.prefix} node blocks; Kubernetes allows at most 2^${maxNodeMaskDiff}`;
  }
  return undefined;
}
