import { CNI_ERROR, CniError } from '@loom-net/cni-spec';
import { type CommandRunner, ipLinks, isKernelCommandError } from '@loom-net/core/kernel';
import { IpBatchError } from './ip-batch.ts';

/** Whether a link of that name exists (in `netns`, or the plugin's own namespace). */
export async function linkExists(
  kernel: CommandRunner,
  name: string,
  netns?: string,
): Promise<boolean> {
  try {
    await ipLinks(kernel, ['link', 'show', 'dev', name], netns);
    return true;
  } catch (error) {
    if (isKernelCommandError(error, 'not-found')) return false;
    throw kernelFailure(`cannot look up link ${name}`, error);
  }
}

/** Deletes a link of the plugin's namespace; one already gone is fine (DEL is idempotent). */
export async function removeLink(kernel: CommandRunner, name: string): Promise<void> {
  try {
    await kernel.run({ tool: 'ip', args: ['link', 'del', 'dev', name] });
  } catch (error) {
    if (!isKernelCommandError(error, 'not-found'))
      throw kernelFailure(`cannot delete link ${name}`, error);
  }
}

/** A kernel tool's failure as the CNI error result (code 103), naming what was being done. */
export function kernelFailure(action: string, error: unknown): CniError {
  if (error instanceof CniError) return error;
  const kernelError = error instanceof IpBatchError ? error.kernelError : error;
  if (isKernelCommandError(kernelError)) {
    return new CniError(CNI_ERROR.kernelCommandFailed, `${action}: ${kernelError.message}`, {
      details: kernelError.stderr.trim() || undefined,
      cause: error,
    });
  }
  return new CniError(
    CNI_ERROR.internal,
    `${action}: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}
