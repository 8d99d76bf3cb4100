import type { KubeObject } from '../kube/kube-object.ts';

type Predicate = (obj: KubeObject) => boolean;

const SET_REQUIREMENT = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const EQUALITY_REQUIREMENT = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/;

/** Splits on commas outside `( … )`, as `a in (x,y),b=c` needs. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function labelRequirement(text: string): Predicate {
  const labels = (obj: KubeObject): Record<string, string> => obj.metadata?.labels ?? {};
  const set = SET_REQUIREMENT.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return op === 'in'
      ? (obj) => values.has(labels(obj)[key] ?? '\0')
      : (obj) => !values.has(labels(obj)[key] ?? '\0');
  }
  const equality = EQUALITY_REQUIREMENT.exec(text);
  if (equality) {
    const [, key = '', op, value] = equality;
    return op === '!=' ? (obj) => labels(obj)[key] !== value : (obj) => labels(obj)[key] === value;
  }
  if (text.startsWith('!')) return (obj) => !(text.slice(1) in labels(obj));
  if (/^[^\s!=(),]+$/.test(text)) return (obj) => text in labels(obj);
  throw new Error(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** Label selectors as the API server parses them: equality, inequality, set and existence. */
export function parseLabelSelector(selector: string | undefined): Predicate {
  const requirements = splitRequirements(selector ?? '').map(labelRequirement);
  return (obj) => requirements.every((matches) => matches(obj));
}

function fieldValue(obj: KubeObject, path: string): string {
  let value: unknown = obj;
  for (const part of path.split('.'))
    value = (value as Record<string, unknown> | undefined)?.[part];
  return value === undefined || value === null ? '' : String(value);
}

/** Field selectors: `path=value`, `path==value`, `path!=value` on any dotted field. */
export function parseFieldSelector(selector: string | undefined): Predicate {
  const requirements = splitRequirements(selector ?? '').map((text): Predicate => {
    const match = EQUALITY_REQUIREMENT.exec(text);
    if (!match) throw new Error(`invalid field selector: ${JSON.stringify(text)}`);
    const [, path = '', op, value] = match;
    return op === '!='
      ? (obj) => fieldValue(obj, path) !== value
      : (obj) => fieldValue(obj, path) === value;
  });
  return (obj) => requirements.every((matches) => matches(obj));
}
