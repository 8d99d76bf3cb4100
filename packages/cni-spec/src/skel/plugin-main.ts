import { readFileSync, writeSync } from 'node:fs';
import type { CniCommand } from '../types/cni-command.ts';
import { CNI_ERROR, CniError, toErrorResult } from '../types/cni-error.ts';
import { type CniResult, formatResult } from '../types/cni-result.ts';
import { CURRENT_CNI_VERSION, SUPPORTED_CNI_VERSIONS } from '../version/cni-version.ts';
import { parseCniEnvironment } from './cni-env.ts';
import { buildRequest, type CniRequest, versionForErrors } from './cni-request.ts';

/** One function per verb; VERSION is answered here. */
export interface CniPluginHandlers {
  add(request: CniRequest): Promise<CniResult> | CniResult;
  del(request: CniRequest): Promise<void> | void;
  check(request: CniRequest): Promise<void> | void;
  gc(request: CniRequest): Promise<void> | void;
  status(request: CniRequest): Promise<void> | void;
}

export interface CniInvocation {
  env: Readonly<Record<string, string | undefined>>;
  stdin: string;
}

/** What the process prints on stdout and exits with. */
export interface CniOutcome {
  exitCode: number;
  stdout: string;
}

/**
 * Runs one invocation without touching the process: parse the environment and stdin, call
 * the verb, print the result (ADD) or nothing, or the spec's error result with exit code 1.
 */
export async function handleCniInvocation(
  handlers: CniPluginHandlers,
  invocation: CniInvocation,
): Promise<CniOutcome> {
  try {
    const env = parseCniEnvironment(invocation.env);
    if (env.command === 'VERSION') return versionOutcome(invocation.stdin);
    const request = buildRequest(env, invocation.stdin);
    const result = await dispatch(handlers, env.command, request);
    return {
      exitCode: 0,
      stdout:
        result === undefined ? '' : `${JSON.stringify(formatResult(result, request.cniVersion))}\n`,
    };
  } catch (error) {
    const version = versionForErrors(invocation.stdin, CURRENT_CNI_VERSION);
    return { exitCode: 1, stdout: `${JSON.stringify(toErrorResult(error, version))}\n` };
  }
}

async function dispatch(
  handlers: CniPluginHandlers,
  command: Exclude<CniCommand, 'VERSION'>,
  request: CniRequest,
): Promise<CniResult | undefined> {
  switch (command) {
    case 'ADD':
      return await handlers.add(request);
    case 'DEL':
      await handlers.del(request);
      return undefined;
    case 'CHECK':
      await handlers.check(request);
      return undefined;
    case 'GC':
      await handlers.gc(request);
      return undefined;
    case 'STATUS':
      await handlers.status(request);
      return undefined;
  }
}

// VERSION needs no valid configuration: it answers in the version it was asked in, if any.
function versionOutcome(stdin: string): CniOutcome {
  const cniVersion = versionForErrors(stdin, CURRENT_CNI_VERSION);
  return {
    exitCode: 0,
    stdout: `${JSON.stringify({ cniVersion, supportedVersions: SUPPORTED_CNI_VERSIONS })}\n`,
  };
}

/**
 * The process entry point of a plugin binary (`name` starts its lines on stderr). It never
 * rejects: every failure ends as an exit code, a result the runtime can read or, when stdout
 * itself fails, a line on stderr.
 */
export async function runCniPlugin(
  handlers: CniPluginHandlers,
  name = 'CNI plugin',
): Promise<void> {
  let outcome: CniOutcome;
  try {
    const stdin = await readStdin();
    outcome = await handleCniInvocation(handlers, { env: process.env, stdin });
  } catch (error) {
    outcome = {
      exitCode: 1,
      stdout: `${JSON.stringify(toErrorResult(error, CURRENT_CNI_VERSION))}\n`,
    };
  }
  const exitCode = deliver(outcome, name);
  // Everything is done and written: exit now rather than wait for the event loop to wind down.
  process.exit(exitCode);
}

/**
 * Writes the answer and returns the exit code. A runtime that cannot take the answer (its end
 * of the pipe closed: EPIPE; stdout redirected to a full disk: ENOSPC) gets a line on stderr,
 * which runtimes log, and exit code 1: without the result it must not take the call as done
 * (after a failed ADD a runtime tears the sandbox down with DEL). Node reopens a stdout that is
 * closed at start on /dev/null, so that case is indistinguishable from a wanted /dev/null.
 */
function deliver(outcome: CniOutcome, name: string): number {
  try {
    // process.stdout builds a stream object on first use (~3 ms, on every CNI call); the
    // runtime's pipe takes one blocking write just as well.
    writeAll(1, outcome.stdout);
    return outcome.exitCode;
  } catch (error) {
    const answer = outcome.exitCode === 0 ? 'result' : 'error result';
    writeStderr(
      `${name}: cannot write its ${answer} to stdout: ${(error as Error).message}; the ${answer} was: ${outcome.stdout}`,
    );
    return 1;
  }
}

function writeStderr(text: string): void {
  try {
    writeAll(2, text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left to say it.
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(fd, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

async function readStdin(): Promise<string> {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No stdin at all (fd 0 closed) reads as empty: VERSION needs none.
    if (code === 'EBADF') return '';
    if (code !== 'EAGAIN') {
      throw new CniError(
        CNI_ERROR.ioFailure,
        `cannot read the network configuration from stdin: ${(error as Error).message}`,
      );
    }
    // A non-blocking stdin (inherited from some runtimes) refuses a synchronous read.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
