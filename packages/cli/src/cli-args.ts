import { parseArgs } from 'node:util';
import {
  LAB_CNI_CHOICES,
  type LabCni,
  type LabOptions,
  MAX_NODE_COUNT,
  POD_CIDR_MODES,
  type PodCidrMode,
} from '@loom-net/lab';
import {
  CLUSTER_VERBS,
  type ClusterCommand,
  type ClusterVerb,
  parseClusterArgs,
} from './cluster-args.ts';
import { UsageError } from './usage-error.ts';

export { UsageError } from './usage-error.ts';

export type LabVerb = 'build' | 'up' | 'status' | 'down' | 'kubectl' | 'exec';

export type CliCommand =
  | { kind: 'help' }
  | ClusterCommand
  | {
      kind: 'lab';
      verb: LabVerb;
      options: LabOptions;
      /** What goes to kubectl, or the command `exec` runs. */
      args: string[];
      /** `exec`'s target: a node (`node1`) or a pod (`NAMESPACE/POD`). */
      host?: string;
    };

const LAB_VERBS: readonly LabVerb[] = ['build', 'up', 'status', 'down', 'kubectl', 'exec'];
const PASSTHROUGH_VERBS = new Set<string>(['kubectl', 'exec']);
const HELP = new Set(['help', '--help', '-h']);
const LAB_VALUE_OPTIONS = new Set([
  '--state-dir',
  '--prefix',
  '--api-port',
  '--nodes',
  '--remote-nodes',
  '--cni',
  '--pod-cidrs',
]);
const UP_ONLY_OPTIONS = ['nodes', 'remote-nodes', 'cni', 'pod-cidrs', 'no-install'] as const;

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || HELP.has(command)) return { kind: 'help' };
  if ((CLUSTER_VERBS as readonly string[]).includes(command)) {
    return parseClusterArgs(command as ClusterVerb, rest) ?? { kind: 'help' };
  }
  if (command !== 'lab') throw new UsageError(`unknown command "${command}" (try: loom help)`);
  const { own, passed } = splitPassthrough(rest);
  const { values, positionals } = parseLabOptions(own);
  if (values.help) return { kind: 'help' };
  const [verb, ...extra] = positionals;
  if (verb === undefined) throw new UsageError(`loom lab needs a command: ${LAB_VERBS.join(', ')}`);
  if (!isLabVerb(verb)) {
    throw new UsageError(`unknown lab command "${verb}" (one of: ${LAB_VERBS.join(', ')})`);
  }
  const host = verb === 'exec' ? extra.shift() : undefined;
  if (verb === 'exec' && host === undefined) {
    throw new UsageError('lab exec needs a target: a node (node1) or NAMESPACE/POD');
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" after lab ${verb}`);
  if (!PASSTHROUGH_VERBS.has(verb) && passed.length > 0) {
    throw new UsageError(`lab ${verb} takes no arguments after "--"`);
  }
  if (verb === 'exec' && passed.length === 0) {
    throw new UsageError(`lab exec ${host} needs a command: loom lab exec ${host} -- CMD…`);
  }
  const misplaced = UP_ONLY_OPTIONS.find((name) => values[name] !== undefined);
  if (verb !== 'up' && misplaced !== undefined) {
    throw new UsageError(`--${misplaced} applies to lab up, not lab ${verb}`);
  }
  return {
    kind: 'lab',
    verb,
    options: labOptions(values),
    args: passed,
    ...(host !== undefined ? { host } : {}),
  };
}

/**
 * What is loom's and what is passed on: everything after `--`; else, for `kubectl`,
 * everything after the verb (so `loom lab kubectl get pods -A` works without `--`) and, for
 * `exec`, everything after its target. loom's own options right after the verb stay loom's
 * (`kubectl --state-dir D get ns`).
 */
function splitPassthrough(args: readonly string[]): { own: string[]; passed: string[] } {
  const dashDash = args.indexOf('--');
  if (dashDash >= 0) return { own: args.slice(0, dashDash), passed: args.slice(dashDash + 1) };
  const verbAt = args.findIndex((arg) => PASSTHROUGH_VERBS.has(arg));
  if (verbAt < 0) return { own: [...args], passed: [] };
  const own = args.slice(0, verbAt + 1);
  let next = verbAt + 1;
  while (next < args.length) {
    const arg = args[next]!;
    const name = arg.split('=')[0]!;
    if (!LAB_VALUE_OPTIONS.has(name)) break;
    const width = arg.includes('=') ? 1 : 2;
    own.push(...args.slice(next, next + width));
    next += width;
  }
  if (args[verbAt] === 'exec' && next < args.length) own.push(args[next++]!);
  return { own, passed: args.slice(next) };
}

function parseLabOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        'state-dir': { type: 'string' },
        prefix: { type: 'string' },
        'api-port': { type: 'string' },
        nodes: { type: 'string' },
        'remote-nodes': { type: 'string' },
        cni: { type: 'string' },
        'pod-cidrs': { type: 'string' },
        'no-install': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type LabValues = ReturnType<typeof parseLabOptions>['values'];

function labOptions(values: LabValues): LabOptions {
  const options: LabOptions = {};
  if (values['state-dir'] !== undefined) options.stateDir = values['state-dir'];
  if (values.prefix !== undefined) options.prefix = values.prefix;
  if (values['api-port'] !== undefined) {
    options.hostApiPort = wholeNumber('--api-port', values['api-port'], 65535, 'a TCP port');
  }
  if (values.nodes !== undefined) {
    options.nodes = wholeNumber('--nodes', values.nodes, MAX_NODE_COUNT, 'a node count');
  }
  if (values['remote-nodes'] !== undefined) {
    const raw = values['remote-nodes'];
    options.remoteNodes = wholeNumber('--remote-nodes', raw, MAX_NODE_COUNT, 'a node count');
  }
  if (values.cni !== undefined) options.cni = oneOf('--cni', values.cni, LAB_CNI_CHOICES);
  if (values['no-install']) {
    // The fresh-cluster case by its user-facing name: no CNI until someone runs loom install.
    if (options.cni !== undefined && options.cni !== 'none') {
      throw new UsageError(
        `--no-install leaves the nodes without a CNI: it contradicts --cni ${options.cni}`,
      );
    }
    options.cni = 'none';
  }
  if (values['pod-cidrs'] !== undefined) {
    options.podCidrs = oneOf('--pod-cidrs', values['pod-cidrs'], POD_CIDR_MODES);
  }
  return options;
}

function wholeNumber(flag: string, raw: string, max: number, what: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max) {
    throw new UsageError(`invalid ${flag} "${raw}": expected ${what} (0-${max})`);
  }
  return value;
}

function oneOf<T extends LabCni | PodCidrMode>(
  flag: string,
  raw: string,
  choices: readonly T[],
): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`invalid ${flag} "${raw}": expected one of ${choices.join(', ')}`);
  }
  return raw as T;
}

function isLabVerb(verb: string): verb is LabVerb {
  return (LAB_VERBS as readonly string[]).includes(verb);
}

export const USAGE = `loom: Loom's command line

Usage:
  loom lab build                   build (or reuse) the pinned Kubernetes binaries and Loom's image
  loom lab up                      bring the lab up (control plane + nodes), or repair it
  loom lab status                  show each component and node: running, healthy, Ready
  loom lab kubectl [--] ARGS…      run the lab's kubectl against its API server
  loom lab exec HOST [--] CMD…     run CMD in a node's (node1) or a pod's (NS/POD) netns
  loom lab down                    stop everything and remove every namespace and file
  loom install [flags]             install Loom on the cluster of a kubeconfig (see below)
  loom status [flags]              Loom's workloads, its pod on every node, the facts it uses
  loom uninstall [flags]           clean every node, then delete every object of Loom's
  loom help                        this text

Options (lab):
  --state-dir DIR   the lab's state directory (default /var/lib/loom-lab, env LOOM_LAB_DIR)
  --prefix P        prefix of its network namespaces (default loom-, env LOOM_LAB_PREFIX)
  --api-port N      root-side API port on 127.0.0.1 (default 36443, env LOOM_LAB_API_PORT)

Options (lab up):
  --nodes N         node1..nodeN (default: the lab's current count, 3 for a new lab); a
                    running lab gains or loses nodes
  --remote-nodes N  the last N nodes on a second subnet, 192.168.2.0/24, behind a router
                    namespace (default: the lab's current count, 0)
  --cni C           loom (default: \`loom install\` from Loom's image, as a user installs it),
                    bridge (Debian's bridge + host-local) or none (nodes stay NotReady)
  --no-install      the same as --cni none: a bare cluster, for \`loom install\` to install on
  --pod-cidrs M     lab (nodeN gets 10.244.N.0/24, default), controller-manager or loom
                    (loom-pod-cidr-allocator)

Options (install, status, uninstall):
  --kubeconfig PATH   the cluster (default KUBECONFIG, in-cluster, ~/.kube/config)
  --context NAME      a context of the kubeconfig (default its current-context)

Options (install):
  --components A,B    only these components (and base); default every component in
                      deploy/install.yaml, plus pod-cidr-allocator when no node has a podCIDR
  --cluster-cidr C    the pod CIDR(s), one per family (default: discovered)
  --service-cidr C    the service CIDR(s) (default: discovered)
  --api-server H:P    the API server's address for Loom's node daemons (default: discovered)
  --image REF         Loom's image (default: the one in the manifests)
  --manifests DIR     a directory holding install.yaml (default: deploy/ of this checkout)
  --timeout D         how long to wait for the rollouts (default 5m)
  --dry-run[=server]  print the objects (YAML) and apply nothing; =server: the API server
                      validates them and stores nothing

Options (status):
  -o, --output F      text (default) or json

Options (uninstall):
  --image REF         the cleanup DaemonSet's image (default: the installed loom-node's)
  --timeout D         how long each step may take (default 5m)
  --keep-node-state   delete the objects only; leave routes and CNI files on the nodes
  --dry-run           list what would be deleted

Exit codes: 0 done / healthy; 1 failed, timed out or unhealthy (the output says why);
2 a usage error.

Environment:
  LOOM_CACHE_DIR       where built binaries are cached (default ~/.cache/loom)
  LOOM_K8S_BIN_DIR     use binaries from this directory and never build
`;
