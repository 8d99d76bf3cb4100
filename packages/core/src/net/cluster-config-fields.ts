import { familyName, type IpFamily } from './address.ts';
import { type IssueList, quote } from './config-issues.ts';
import { dnsNameProblem } from './dns-name.ts';

// Parsers for the individual fields of a cluster config. Each records its problems and
// returns undefined for a field it could not read, so the cross-field checks skip it
// instead of piling follow-on errors onto the first.

/**
 * One or two values, at most one per family. A string is split on commas, as the
 * Kubernetes flags (`--cluster-cidr=10.244.0.0/16,fd00:10:244::/56`) spell dual-stack.
 */
export function parseFamilyList<T extends { readonly family: IpFamily }>(
  issues: IssueList,
  path: string,
  value: unknown,
  kind: string,
  parse: (text: string) => T,
): T[] | undefined {
  const texts = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(texts)) {
    issues.add(path, value, `${quote(value)} is not a list of ${kind}s`);
    return undefined;
  }
  if (texts.length === 0 || texts.length > 2) {
    const problem = `${quote(value)} has ${texts.length} entries; give one ${kind}, or two for dual-stack (one IPv4, one IPv6)`;
    issues.add(path, value, problem);
    return undefined;
  }
  const parsed = texts.map((text, i) => parseItem(issues, `${path}[${i}]`, text, kind, parse));
  if (parsed.some((item) => item === undefined)) return undefined;
  const items = parsed as T[];
  if (items.length === 2 && items[0]!.family === items[1]!.family) {
    const problem = `${quote(texts[1])} is a second ${familyName(items[1]!.family)} ${kind}; dual-stack takes one per family`;
    issues.add(`${path}[1]`, texts[1], problem);
    return undefined;
  }
  return items;
}

function parseItem<T>(
  issues: IssueList,
  path: string,
  text: unknown,
  kind: string,
  parse: (text: string) => T,
): T | undefined {
  if (typeof text !== 'string') {
    issues.add(path, text, `${quote(text)} is not a ${kind} string`);
    return undefined;
  }
  try {
    return parse(text);
  } catch (error) {
    issues.add(path, text, error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/** The domain in its relative form (`cluster.local`, never `cluster.local.`). */
export function parseDomain(issues: IssueList, path: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    issues.add(path, value, `${quote(value)} is not a string`);
    return undefined;
  }
  const problem = dnsNameProblem(value);
  if (problem !== undefined) {
    issues.add(path, value, `${quote(value)} is not a valid DNS name: it ${problem}`);
    return undefined;
  }
  return value.endsWith('.') ? value.slice(0, -1) : value;
}

export interface GivenNodeMasks {
  readonly ipv4?: number;
  readonly ipv6?: number;
}

export function parseNodeMasks(
  issues: IssueList,
  path: string,
  value: unknown,
): GivenNodeMasks | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add(path, value, `${quote(value)} is not an object like {"ipv4": 24, "ipv6": 64}`);
    return undefined;
  }
  // Good keys are kept next to bad ones so the cross-field checks still see them.
  const masks: { ipv4?: number; ipv6?: number } = {};
  for (const [key, mask] of Object.entries(value)) {
    if (key !== 'ipv4' && key !== 'ipv6') {
      issues.add(`${path}.${key}`, mask, 'unknown field (expected ipv4 or ipv6)');
    } else if (typeof mask !== 'number' || !Number.isInteger(mask)) {
      issues.add(`${path}.${key}`, mask, `${quote(mask)} is not an integer prefix length`);
    } else {
      masks[key] = mask;
    }
  }
  return masks;
}

/** The object's own fields, or undefined (with an issue) when `value` is not an object. */
export function readObject(
  issues: IssueList,
  path: string,
  value: unknown,
  fields: readonly string[],
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.add(path, value, `${quote(value)} is not an object`);
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!fields.includes(key)) {
      issues.add(
        `${path}.${key}`,
        record[key],
        `unknown field (expected one of ${fields.join(', ')})`,
      );
    }
  }
  return record;
}
