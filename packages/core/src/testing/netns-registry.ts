import { spawnSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { createCommandRunner } from '../kernel/command-runner.ts';
import { deleteNetns } from '../kernel/netns.ts';

// Every namespace a test creates, until it is deleted. A test that forgets (or dies before)
// its cleanup still leaves nothing behind: the file's afterAll sweeps what is left, and the
// process exit hook catches what even that missed.
// The set lives on globalThis so that module copies (vitest re-evaluates modules per test file)
// share it and the exit hook is installed once per process.
const REGISTRY = Symbol.for('loom.testing.netnsRegistry');
const shared = globalThis as typeof globalThis & { [REGISTRY]?: Set<string> };
const registered = shared[REGISTRY] ?? installRegistry();

function installRegistry(): Set<string> {
  const names = new Set<string>();
  shared[REGISTRY] = names;
  process.on('exit', () => {
    for (const name of names) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  });
  return names;
}

export function registerNetns(name: string): void {
  registered.add(name);
}

export function unregisterNetns(name: string): void {
  registered.delete(name);
}

/** Namespaces created through the testing helpers and not yet deleted. */
export function registeredNetns(): string[] {
  return [...registered];
}

/** Deletes every namespace still registered; returns the names it deleted. */
export async function deleteRegisteredNetns(): Promise<string[]> {
  const runner = createCommandRunner({ timeoutMs: 10_000 });
  const names = registeredNetns();
  for (const name of names) {
    await deleteNetns(runner, name);
    registered.delete(name);
  }
  return names;
}

// Registered when a test file imports the helpers, so it runs after that file's own hooks.
try {
  afterAll(async () => {
    await deleteRegisteredNetns();
  });
} catch {
  // Imported outside a test file's collection (a script, a global setup): the exit hook remains.
}
