import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { CNI_ERROR, type CniAttachment, CniError } from '@loom-net/cni-spec';

/** One allocated address; `address` is canonical text (`10.244.1.5`, `fd00::5`). */
export interface AllocationRow {
  address: string;
  containerId: string;
  ifname: string;
}

/**
 * The allocations of one network, in SQLite (`node:sqlite`): WAL journal, every change in a
 * `BEGIN IMMEDIATE` transaction, a busy timeout. SQLite's file locks serialise the plugin
 * processes of parallel ADDs, and its journal makes a transaction all-or-nothing even when a
 * process is killed (-9) in the middle of it.
 */
export interface AllocationStore {
  readonly path: string;
  /** Runs `work` in one write transaction; rolls back if it throws. */
  write<T>(work: (tx: AllocationTransaction) => T): T;
  /** Runs `work` on a consistent snapshot. */
  read<T>(work: (tx: AllocationReader) => T): T;
  close(): void;
}

export interface AllocationReader {
  all(): AllocationRow[];
  byAttachment(attachment: CniAttachment): AllocationRow[];
  cursor(key: string): string | undefined;
}

export interface AllocationTransaction extends AllocationReader {
  insert(row: AllocationRow): void;
  remove(address: string): void;
  setCursor(key: string, address: string): void;
}

/** Where a network's database lives: `<dataDir>/<network>/loom-ipam.sqlite`. */
export function storePath(dataDir: string, network: string): string {
  return join(dataDir, network, 'loom-ipam.sqlite');
}

/** How long a process waits for another's transaction before answering "try again later". */
export const BUSY_TIMEOUT_MS = 15_000;

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS allocations (
  address TEXT PRIMARY KEY NOT NULL,
  container_id TEXT NOT NULL,
  ifname TEXT NOT NULL,
  allocated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS allocations_by_attachment ON allocations (container_id, ifname);
CREATE TABLE IF NOT EXISTS cursors (
  range_set TEXT PRIMARY KEY NOT NULL,
  last_address TEXT NOT NULL
);
PRAGMA user_version = ${SCHEMA_VERSION};
`;

let leftToExit = false;

/**
 * For a plugin process, which exits as soon as it has answered: from now on close() leaves the
 * connection for the exit to drop. Closing the last connection checkpoints the WAL into the
 * database (four fsyncs) and deletes it, and the next process then creates it again: 1–4 ms of
 * every call here, more on a slow disk. An exit without close is, to SQLite, any ended process
 * (a kill -9 is the same): the committed WAL stays and the next connection reads it back.
 * `keepWalShort` bounds what there is to read back.
 */
export function leaveStoresToProcessExit(): void {
  leftToExit = true;
}

export function openAllocationStore(dataDir: string, network: string): AllocationStore {
  const path = storePath(dataDir, network);
  const db = guard(path, 'open', () => {
    mkdirSync(join(dataDir, network), { recursive: true, mode: 0o755 });
    // Loaded here: VERSION, STATUS and a delegating loom-cni never open a store.
    const { DatabaseSync } = process.getBuiltinModule(
      'node:sqlite',
    ) as typeof import('node:sqlite');
    const opened = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    whileBusy(() => prepare(opened));
    return opened;
  });
  return {
    path,
    write: (work) => {
      const result = guard(path, 'write', () =>
        inTransaction(db, 'BEGIN IMMEDIATE', () => work(transactionOn(db))),
      );
      keepWalShort(db, path);
      return result;
    },
    read: (work) =>
      guard(path, 'read', () => inTransaction(db, 'BEGIN', () => work(transactionOn(db)))),
    close: () => {
      if (!leftToExit) db.close();
    },
  };
}

function prepare(db: DatabaseSync): void {
  // WAL is a property of the file: set once, by whichever process creates it. NORMAL sync is
  // safe against a killed process in WAL mode (the OS holds every committed page); only a
  // power cut can undo the last commits, and then the pods that held them are gone too.
  const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
  if (mode.journal_mode !== 'wal') db.exec('PRAGMA journal_mode = WAL');
  // No automatic checkpoints: keepWalShort does them, in a mode that works for processes
  // which never close their connection.
  db.exec('PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0');
  const { user_version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (user_version >= SCHEMA_VERSION) return;
  inTransaction(db, 'BEGIN IMMEDIATE', () => db.exec(SCHEMA));
}

/** A WAL this long is checkpointed and truncated after the commit that reaches it. */
export const WAL_LIMIT_BYTES = 1024 * 1024;

/**
 * Plugin processes exit without closing their connection, so every call starts as the first
 * connection to the database and SQLite rebuilds its WAL index from the WAL file: it reads
 * every frame since the WAL last restarted, and it forgets how far the last checkpoint got.
 * SQLite's own (passive) autocheckpoint therefore never lets the WAL restart: it grows by
 * ~30 KB per ADD + DEL for ever, each call reads all of it back (+1 ms per 2 MB here), and
 * every commit past the threshold checkpoints again. A TRUNCATE checkpoint once the file
 * reaches 1 MiB (every ~35 ADD + DEL; two fsyncs) empties it instead. The transaction is
 * committed by then: a checkpoint that cannot run now (busy, a full disk) is left to the next
 * call rather than failing this one.
 */
function keepWalShort(db: DatabaseSync, path: string): void {
  try {
    if (statSync(`${path}-wal`).size < WAL_LIMIT_BYTES) return;
    // TRUNCATE waits for other processes' transactions to end; under a burst of parallel
    // calls, one of them runs it later rather than this call waiting long for it.
    db.exec(`PRAGMA busy_timeout = ${CHECKPOINT_WAIT_MS}`);
    try {
      db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    } finally {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  } catch {}
}

const CHECKPOINT_WAIT_MS = 200;

// Switching a fresh file to WAL takes an exclusive lock, and SQLite answers a process that
// races another one there with SQLITE_BUSY at once, without its busy handler: many plugin
// processes opening a new database together must retry here, up to the busy timeout.
function whileBusy(work: () => void): void {
  // Date.now, not performance.now: the global `performance` loads perf_hooks (a plugin call
  // loads no module it can do without).
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      work();
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20);
    }
  }
}

function isBusy(error: unknown): boolean {
  const primary = ((error as { errcode?: number }).errcode ?? -1) & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

function inTransaction<T>(db: DatabaseSync, begin: string, work: () => T): T {
  db.exec(begin);
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function transactionOn(db: DatabaseSync): AllocationTransaction {
  const toRow = (r: Record<string, unknown>): AllocationRow => ({
    address: r.address as string,
    containerId: r.container_id as string,
    ifname: r.ifname as string,
  });
  return {
    all: () => db.prepare('SELECT address, container_id, ifname FROM allocations').all().map(toRow),
    byAttachment: ({ containerId, ifname }) =>
      db
        .prepare(
          'SELECT address, container_id, ifname FROM allocations WHERE container_id = ? AND ifname = ?',
        )
        .all(containerId, ifname)
        .map(toRow),
    cursor: (key) => {
      const row = db.prepare('SELECT last_address FROM cursors WHERE range_set = ?').get(key);
      return row === undefined ? undefined : (row.last_address as string);
    },
    insert: (row) => {
      db.prepare(
        // SQLite stamps the time: a JS Date would make V8 load the local time zone first.
        "INSERT INTO allocations (address, container_id, ifname, allocated_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
      ).run(row.address, row.containerId, row.ifname);
    },
    remove: (address) => {
      db.prepare('DELETE FROM allocations WHERE address = ?').run(address);
    },
    setCursor: (key, address) => {
      db.prepare(
        'INSERT INTO cursors (range_set, last_address) VALUES (?, ?) ON CONFLICT (range_set) DO UPDATE SET last_address = excluded.last_address',
      ).run(key, address);
    },
  };
}

// SQLite's busy (5) and locked (6) results mean another process held the lock for longer
// than the busy timeout: transient, so the runtime may retry (code 11).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

function guard<T>(path: string, action: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CniError) throw error;
    const sqlite = error as { errcode?: number; message?: string };
    if (isBusy(error)) {
      throw new CniError(
        CNI_ERROR.tryAgainLater,
        `cannot ${action} IPAM database ${path}: still locked by another process after ${BUSY_TIMEOUT_MS} ms`,
        {
          cause: error,
        },
      );
    }
    // Anything else that is not SQLite's or the file system's (ENOSPC, EACCES) is a bug: let it be one.
    const code = (error as { code?: unknown }).code;
    const fromStore =
      sqlite.errcode !== undefined ||
      code === 'ERR_SQLITE_ERROR' ||
      (typeof code === 'string' && /^E[A-Z]+$/.test(code));
    if (!fromStore) throw error;
    throw new CniError(
      CNI_ERROR.storeFailure,
      `cannot ${action} IPAM database ${path}: ${sqlite.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}
