import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import type { ContainerRecord, SandboxRecord } from './records.ts';

/**
 * The runtime's checkpoint on disk, one JSON file per object, each written atomically (temp +
 * rename) so that a `kill -9` at any point leaves either the old or the new record.
 */
export interface RuntimeStore {
  readonly stateDir: string;
  sandboxDir(id: string): string;
  containerDir(id: string): string;
  saveSandbox(record: SandboxRecord): void;
  saveContainer(record: ContainerRecord): void;
  deleteSandbox(id: string): void;
  deleteContainer(id: string): void;
  loadSandboxes(): { records: SandboxRecord[]; broken: string[] };
  loadContainers(): { records: ContainerRecord[]; broken: string[] };
}

function loadAll<T>(dir: string, file: string): { records: T[]; broken: string[] } {
  const records: T[] = [];
  const broken: string[] = [];
  if (!existsSync(dir)) return { records, broken };
  for (const id of readdirSync(dir)) {
    try {
      records.push(JSON.parse(readFileSync(join(dir, id, file), 'utf8')) as T);
    } catch {
      broken.push(id);
    }
  }
  return { records, broken };
}

export function createRuntimeStore(stateDir: string): RuntimeStore {
  const sandboxes = join(stateDir, 'sandboxes');
  const containers = join(stateDir, 'containers');
  mkdirSync(sandboxes, { recursive: true });
  mkdirSync(containers, { recursive: true });
  const sandboxDir = (id: string) => join(sandboxes, id);
  const containerDir = (id: string) => join(containers, id);
  const save = (dir: string, file: string, record: unknown) => {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(join(dir, file), `${JSON.stringify(record, null, 1)}\n`);
  };
  return {
    stateDir,
    sandboxDir,
    containerDir,
    saveSandbox: (record) => save(sandboxDir(record.id), 'sandbox.json', record),
    saveContainer: (record) => save(containerDir(record.id), 'container.json', record),
    deleteSandbox: (id) => rmSync(sandboxDir(id), { recursive: true, force: true }),
    deleteContainer: (id) => rmSync(containerDir(id), { recursive: true, force: true }),
    loadSandboxes: () => loadAll<SandboxRecord>(sandboxes, 'sandbox.json'),
    loadContainers: () => loadAll<ContainerRecord>(containers, 'container.json'),
  };
}
