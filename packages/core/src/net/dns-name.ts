const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `name` is not an RFC 1123 DNS subdomain as Kubernetes spells them (lowercase
 * labels of 1-63 letters, digits and inner hyphens, 253 characters in all), or
 * undefined when it is one. A single trailing dot (the absolute form) is allowed.
 */
export function dnsNameProblem(name: string): string | undefined {
  const relative = name.endsWith('.') ? name.slice(0, -1) : name;
  if (relative.length === 0) return 'is empty';
  if (relative.length > 253) return `is ${relative.length} characters long, more than 253`;
  for (const part of relative.split('.')) {
    if (part.length === 0) return 'has an empty label';
    if (part.length > 63) return `has label "${part.slice(0, 16)}…" longer than 63 characters`;
    if (!label.test(part)) {
      return `has label ${JSON.stringify(part)}, which is not lowercase letters, digits and inner hyphens`;
    }
  }
  return undefined;
}

export function isDnsName(name: string): boolean {
  return dnsNameProblem(name) === undefined;
}
