import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCriProtoPath } from './cri/cri-proto.ts';
import { DEFAULT_BUSYBOX, defaultAgnhostPath } from './image/image-map.ts';
import { RuntimeError } from './runtime-error.ts';
import type { LabRuntimeOptions } from './runtime-options.ts';
import { DEFAULT_NETNS_PREFIX } from './runtime-options.ts';

export type RuntimeCommand = 'serve' | 'remove-all-pods';

export interface RuntimeInvocation {
  command: RuntimeCommand;
  options: LabRuntimeOptions;
}

export const RUNTIME_USAGE = `usage: lab-runtime [serve|remove-all-pods] --socket PATH --state-dir DIR [flags]

  serve (default)    serve CRI runtime.v1 (RuntimeService + ImageService) on --socket
  remove-all-pods    stop and remove every pod of --state-dir (CNI DEL, netns, processes), then exit

  --socket PATH          unix socket to serve on (required)
  --state-dir DIR        sandboxes, containers, images; survives restarts (required)
  --cni-conf-dir DIR     CNI configs; the first .conf/.conflist/.json by name is used [/etc/cni/net.d]
  --cni-bin-dir DIR      CNI plugins, repeatable or colon-separated [/opt/cni/bin]
  --cni-cache-dir DIR    libcni result cache (<dir>/results/<net>-<id>-<if>) [/var/lib/cni]
  --netns-prefix NAME    pod netns = <prefix><12 hex of the sandbox id> [${DEFAULT_NETNS_PREFIX}]
  --image-map FILE       extra images (JSON {"images": [...]}), before the built-in ones
  --image-archive FILE   an image archive (OCI image layout or docker save, as a tar), repeatable:
                         loaded at start (checked, layers unpacked once under the state dir); its
                         images are listed and PullImage of their names needs no network
  --image-store DIR      unpacked image layers (DIR/<diff_id>/fs) shared with other runtimes on this
                         machine (added, never removed) [<state-dir>/images/layers, this runtime's own]
  --agnhost PATH         the agnhost binary for registry.k8s.io/e2e-test-images/agnhost [agnhost beside the lab's binaries]
  --busybox PATH         the busybox binary for busybox images [${DEFAULT_BUSYBOX}]
  --cri-proto PATH       api.proto of k8s.io/cri-api [cri-api.proto beside the lab's binaries]
  --log-level LEVEL      trace|debug|info|warn|error [LOOM_LOG_LEVEL or info]
  --health-port PORT     serve /healthz, /readyz, /metrics on this port [off]
`;

function badFlags(message: string): RuntimeError {
  return new RuntimeError('LOOM_RUNTIME_BAD_CONFIG', `${message}\n${RUNTIME_USAGE}`);
}

/** Parses the runtime's command line; `env` is for the default CRI proto path. */
export function parseRuntimeArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): RuntimeInvocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw badFlags((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = (positionals[0] ?? 'serve') as RuntimeCommand;
  if (!['serve', 'remove-all-pods'].includes(command) || positionals.length > 1) {
    throw badFlags(`unknown command "${positionals.join(' ')}"`);
  }
  if (values.socket === undefined) throw badFlags('--socket is required');
  if (values['state-dir'] === undefined) throw badFlags('--state-dir is required');
  const binDirs = (values['cni-bin-dir'] ?? ['/opt/cni/bin'])
    .flatMap((d) => d.split(':'))
    .filter(Boolean);
  const options: LabRuntimeOptions = {
    socket: values.socket,
    stateDir: values['state-dir'],
    cniConfDir: values['cni-conf-dir'] ?? '/etc/cni/net.d',
    cniBinDirs: binDirs,
    cniCacheDir: values['cni-cache-dir'] ?? '/var/lib/cni',
    netnsPrefix: values['netns-prefix'] ?? DEFAULT_NETNS_PREFIX,
    criProto: values['cri-proto'] ?? defaultCriProtoPath(env),
    agnhost: values.agnhost ?? defaultAgnhostPath(env),
    busybox: values.busybox ?? DEFAULT_BUSYBOX,
    imageArchives: (values['image-archive'] ?? []).map((path) => resolve(path)),
  };
  if (values['image-map'] !== undefined) options.imageMap = values['image-map'];
  if (values['image-store'] !== undefined) options.imageStore = resolve(values['image-store']);
  if (values['log-level'] !== undefined) options.logLevel = values['log-level'];
  if (values['health-port'] !== undefined) options.healthPort = port(values['health-port']);
  if (!/^loom-[A-Za-z0-9_.-]*$/.test(options.netnsPrefix)) {
    throw badFlags(
      `--netns-prefix must start with "loom-" and hold only letters, digits, "_", ".", "-"`,
    );
  }
  return { command, options };
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw badFlags(`--health-port must be a port number (1-65535), got "${text}"`);
  }
  return value;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      socket: { type: 'string' },
      'state-dir': { type: 'string' },
      'cni-conf-dir': { type: 'string' },
      'cni-bin-dir': { type: 'string', multiple: true },
      'cni-cache-dir': { type: 'string' },
      'netns-prefix': { type: 'string' },
      'image-map': { type: 'string' },
      'image-archive': { type: 'string', multiple: true },
      'image-store': { type: 'string' },
      agnhost: { type: 'string' },
      busybox: { type: 'string' },
      'cri-proto': { type: 'string' },
      'log-level': { type: 'string' },
      'health-port': { type: 'string' },
    },
  });
}
