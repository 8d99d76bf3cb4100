import { CNI_ERROR, CniError } from './cni-error.ts';

/** `CNI_ARGS` (`K=V;K2=V2`): empty pairs are skipped, a pair without '=' is an error (code 4). */
export function parseCniArgs(text: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const pair of text.split(';')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new CniError(
        CNI_ERROR.invalidEnvironment,
        `CNI_ARGS pair ${JSON.stringify(pair)} is invalid: expected KEY=VALUE`,
      );
    }
    args.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return args;
}

/** The pairs, in order, as `CNI_ARGS` carries them. */
export function formatCniArgs(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([key, value]) => `${key}=${value}`).join(';');
}
