// Runs loom-cni and loom-ipam as a container runtime does: a real process per call, CNI_*
// environment, configuration on stdin, started inside a throwaway "host" namespace that
// stands in for the node. The plugins are bundled from source by the same esbuild step that
// feeds the shipped executables, so the tests never run stale builds.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePlugin } from '../../ipam/scripts/plugin-executable.ts';

// Results and errors as the plugin printed them; tests read whatever fields they assert on.
// biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON, narrowed by the assertions
export type CniJson = Record<string, any>;

const packages = join(import.meta.dirname, '..', '..');

export interface TestPlugins {
  /** A directory holding `loom-cni` and `loom-ipam` executables (for CNI_PATH). */
  dir: string;
  cni: string;
  ipam: string;
  cleanup(): void;
}

/** Bundles both plugins and puts an executable launcher for each in a fresh directory. */
export async function buildTestPlugins(): Promise<TestPlugins> {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cni-bin-'));
  const launchers = await Promise.all(
    (['cni', 'ipam'] as const).map(async (pkg) => {
      const bundle = join(dir, `loom-${pkg}.cjs`);
      await bundlePlugin(join(packages, pkg, 'src', 'main.ts'), bundle);
      const launcher = join(dir, `loom-${pkg}`);
      // An absolute node path: the plugin must work with the empty environment a runtime may give.
      writeFileSync(launcher, `#!/bin/sh\nexec ${process.execPath} ${bundle}\n`);
      chmodSync(launcher, 0o755);
      return launcher;
    }),
  );
  return {
    dir,
    cni: launchers[0]!,
    ipam: launchers[1]!,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PluginCall {
  /** The plugin executable. */
  bin: string;
  /** The namespace the plugin runs in (the node's, for the test). */
  hostNetns: string;
  command: string;
  containerId?: string;
  /** CNI_NETNS: a path. */
  netns?: string;
  ifname?: string;
  /** The configuration: an object is sent as JSON, a string as it is. */
  config?: unknown;
  path?: readonly string[];
  args?: string;
  /** More environment variables (the call's env is otherwise only CNI_*). */
  env?: Record<string, string>;
  /**
   * The runtime stops reading stdout before the plugin answers: the read end of the pipe is
   * closed before the configuration is sent, so the plugin's write fails with EPIPE.
   */
  stdoutGone?: boolean;
}

export interface PluginOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json: CniJson | undefined;
  durationMs: number;
}

/** Starts the plugin; the process is returned so a test can kill it mid-call. */
export function startPlugin(call: PluginCall): {
  child: ChildProcess;
  done: Promise<PluginOutcome>;
} {
  const env: Record<string, string> = { CNI_COMMAND: call.command, ...call.env };
  if (call.containerId !== undefined) env.CNI_CONTAINERID = call.containerId;
  if (call.netns !== undefined) env.CNI_NETNS = call.netns;
  if (call.ifname !== undefined) env.CNI_IFNAME = call.ifname;
  if (call.path !== undefined) env.CNI_PATH = call.path.join(':');
  if (call.args !== undefined) env.CNI_ARGS = call.args;
  const started = performance.now();
  // nsenter execs the launcher, which execs node: the child's pid is the plugin's.
  const child = spawn('/usr/bin/nsenter', [`--net=/var/run/netns/${call.hostNetns}`, call.bin], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin!.on('error', () => {});
  const stdin =
    typeof call.config === 'string'
      ? call.config
      : call.config === undefined
        ? ''
        : JSON.stringify(call.config);
  // The plugin reads all of stdin before it answers, so it cannot answer before this.
  if (call.stdoutGone) {
    child.stdout!.once('close', () => child.stdin!.end(stdin));
    child.stdout!.destroy();
  } else child.stdin!.end(stdin);
  const done = new Promise<PluginOutcome>((resolve) => {
    child.on('close', (exitCode, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      let json: CniJson | undefined;
      try {
        json = out.trim() === '' ? undefined : JSON.parse(out);
      } catch {}
      resolve({
        exitCode,
        signal,
        stdout: out,
        stderr: Buffer.concat(stderr).toString('utf8'),
        json,
        durationMs: performance.now() - started,
      });
    });
  });
  return { child, done };
}

export function runPlugin(call: PluginCall): Promise<PluginOutcome> {
  return startPlugin(call).done;
}
