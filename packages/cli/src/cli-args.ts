import { parseArgs } from 'node:util';
import type { LabOptions } from '@loom-net/lab';

export type LabVerb = 'build' | 'up' | 'status' | 'down' | 'kubectl';

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'lab'; verb: LabVerb; options: LabOptions; kubectlArgs: string[] };

/** A command line that cannot be understood: the message says which part and why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const LAB_VERBS: readonly LabVerb[] = ['build', 'up', 'status', 'down', 'kubectl'];
const HELP = new Set(['help', '--help', '-h']);

export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || HELP.has(command)) return { kind: 'help' };
  if (command !== 'lab') throw new UsageError(`unknown command "${command}" (try: loom help)`);
  const { own, passed } = splitKubectlArgs(rest);
  const { values, positionals } = parseLabOptions(own);
  if (values.help) return { kind: 'help' };
  const [verb, ...extra] = positionals;
  if (verb === undefined) throw new UsageError(`loom lab needs a command: ${LAB_VERBS.join(', ')}`);
  if (!isLabVerb(verb)) {
    throw new UsageError(`unknown lab command "${verb}" (one of: ${LAB_VERBS.join(', ')})`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" after lab ${verb}`);
  if (verb !== 'kubectl' && passed.length > 0) {
    throw new UsageError(`lab ${verb} takes no arguments after "--"`);
  }
  return { kind: 'lab', verb, options: labOptions(values), kubectlArgs: passed };
}

/**
 * What is loom's and what goes to kubectl: everything after `--`, or else everything after
 * the `kubectl` verb (so `loom lab kubectl get pods -A` works without `--`).
 */
function splitKubectlArgs(args: readonly string[]): { own: string[]; passed: string[] } {
  const dashDash = args.indexOf('--');
  if (dashDash >= 0) return { own: args.slice(0, dashDash), passed: args.slice(dashDash + 1) };
  const kubectl = args.indexOf('kubectl');
  if (kubectl < 0) return { own: [...args], passed: [] };
  const own = args.slice(0, kubectl + 1);
  let next = kubectl + 1;
  // loom's own options right after the verb are still loom's (`kubectl --state-dir D get ns`).
  while (next < args.length) {
    const arg = args[next]!;
    const name = arg.split('=')[0]!;
    if (!LAB_VALUE_OPTIONS.has(name)) break;
    const width = arg.includes('=') ? 1 : 2;
    own.push(...args.slice(next, next + width));
    next += width;
  }
  return { own, passed: args.slice(next) };
}

const LAB_VALUE_OPTIONS = new Set(['--state-dir', '--prefix', '--api-port']);

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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function labOptions(values: {
  'state-dir'?: string;
  prefix?: string;
  'api-port'?: string;
}): LabOptions {
  const options: LabOptions = {};
  if (values['state-dir'] !== undefined) options.stateDir = values['state-dir'];
  if (values.prefix !== undefined) options.prefix = values.prefix;
  if (values['api-port'] !== undefined) {
    const port = Number(values['api-port']);
    if (!/^\d+$/.test(values['api-port']) || port > 65535) {
      throw new UsageError(
        `invalid --api-port "${values['api-port']}": expected a TCP port (0-65535)`,
      );
    }
    options.hostApiPort = port;
  }
  return options;
}

function isLabVerb(verb: string): verb is LabVerb {
  return (LAB_VERBS as readonly string[]).includes(verb);
}

export const USAGE = `loom: Loom's command line

Usage:
  loom lab build                 build (or reuse) the pinned Kubernetes binaries
  loom lab up                    bring the lab's control plane up, or repair it
  loom lab status                show each component: running or not, healthy or not
  loom lab kubectl [--] ARGS…    run the lab's kubectl against its API server
  loom lab down                  stop everything and remove every namespace and file
  loom help                      this text

Options (lab):
  --state-dir DIR   the lab's state directory (default /var/lib/loom-lab, env LOOM_LAB_DIR)
  --prefix P        prefix of its network namespaces (default loom-, env LOOM_LAB_PREFIX)
  --api-port N      root-side API port on 127.0.0.1 (default 36443, env LOOM_LAB_API_PORT)

Environment:
  LOOM_CACHE_DIR    where built binaries are cached (default ~/.cache/loom)
  LOOM_K8S_BIN_DIR  use binaries from this directory and never build
`;
