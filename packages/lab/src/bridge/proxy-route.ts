/** Where a proxy listens or connects: a unix socket path or a TCP host and port. */
export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface ProxyRoute {
  listen: Endpoint;
  connect: Endpoint;
}

export interface ProxyArgs {
  routes: ProxyRoute[];
  readyFile: string;
}

/** `unix:/run/x.sock` or `tcp:127.0.0.1:6443`. */
export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:/')) return { kind: 'unix', path: text.slice('unix:'.length) };
  const tcp = /^tcp:([^:]+):(\d{1,5})$/.exec(text);
  if (tcp && Number(tcp[2]) <= 65535) return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2]) };
  throw new Error(`invalid endpoint "${text}": expected unix:/PATH or tcp:HOST:PORT`);
}

export function renderEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'unix'
    ? `unix:${endpoint.path}`
    : `tcp:${endpoint.host}:${endpoint.port}`;
}

/** `--route LISTEN=CONNECT` (repeatable) and `--ready-file PATH`. */
export function parseProxyArgs(argv: readonly string[]): ProxyArgs {
  const routes: ProxyRoute[] = [];
  let readyFile: string | undefined;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value after ${flag}`);
    if (flag === '--ready-file') readyFile = value;
    else if (flag === '--route') routes.push(parseRoute(value));
    else throw new Error(`unknown argument ${flag}`);
  }
  if (routes.length === 0) throw new Error('no --route given');
  if (readyFile === undefined) throw new Error('no --ready-file given');
  return { routes, readyFile };
}

export function renderProxyArgs(args: ProxyArgs): string[] {
  return [
    ...args.routes.flatMap((route) => [
      '--route',
      `${renderEndpoint(route.listen)}=${renderEndpoint(route.connect)}`,
    ]),
    '--ready-file',
    args.readyFile,
  ];
}

function parseRoute(text: string): ProxyRoute {
  const at = text.indexOf('=');
  if (at < 0) throw new Error(`invalid route "${text}": expected LISTEN=CONNECT`);
  return { listen: parseEndpoint(text.slice(0, at)), connect: parseEndpoint(text.slice(at + 1)) };
}
