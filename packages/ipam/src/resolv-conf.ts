import { readFileSync } from 'node:fs';
import { CNI_ERROR, type CniDns, CniError } from '@loom-net/cni-spec';

/** The `dns` of a result from a resolv.conf file, as host-local's `resolvConf` option. */
export function readResolvConf(path: string): CniDns {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `cannot read ipam.resolvConf ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseResolvConf(text);
}

export function parseResolvConf(text: string): CniDns {
  const dns: CniDns = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, ...values] = line.split(/\s+/);
    if (values.length === 0) continue;
    if (keyword === 'nameserver') dns.nameservers = [...(dns.nameservers ?? []), values[0]!];
    else if (keyword === 'domain') dns.domain = values[0]!;
    else if (keyword === 'search') dns.search = values;
    else if (keyword === 'options') dns.options = [...(dns.options ?? []), ...values];
  }
  return dns;
}
