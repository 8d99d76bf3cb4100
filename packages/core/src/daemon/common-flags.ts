import type { PortFlag, StringFlag } from './flag-table.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

// The flags every daemon has, spelled and checked the same everywhere.

export const kubeconfigFlag = {
  kind: 'string',
  arg: 'PATH',
  help: 'kubeconfig of the API server',
  defaultText: '`KUBECONFIG`, in-cluster, `~/.kube/config`',
} as const satisfies StringFlag;

export function healthPortFlag(port: number) {
  return {
    kind: 'port',
    default: port,
    help: '`/healthz`, `/readyz`, `/metrics` port; 0 picks one',
  } as const satisfies PortFlag;
}

export const healthAddressFlag = {
  kind: 'string',
  arg: 'ADDR',
  help: 'address the health server binds',
  defaultText: 'all',
} as const satisfies StringFlag;

/** Checked here, so a bad level is a usage error (exit 2) rather than the logger's throw. */
export const logLevelFlag = {
  kind: 'string',
  arg: 'LEVEL',
  help: `pino JSON logs on stdout: ${LOG_LEVELS.join(', ')}`,
  default: 'info',
  check: (text: string) =>
    LOG_LEVELS.includes(text.toLowerCase() as LogLevel)
      ? undefined
      : `${JSON.stringify(text)} is not one of ${LOG_LEVELS.join(', ')}`,
} as const satisfies StringFlag;
