import { NftInputError } from './nft-input-error.ts';
import type { NftElement, NftSetRef } from './nft-objects.ts';
import { nftConcat } from './nft-objects.ts';
import type { NftTransaction } from './nft-transaction.ts';

/** An element as the mirror takes it: an NftElement without its kind and set. */
export type NftMirroredElement = Omit<NftElement, 'kind' | 'set'>;

/**
 * What was applied to one set or map, so a sync sends only what changed (kube-proxy's
 * nftElementStorage). A round of a sync:
 *
 * ```ts
 * services.ensure(tx, { key: ['10.96.0.10', 'udp', '53'], value: 'goto svc-dns' }); // each wanted element
 * services.sweep(tx);                       // deletes what was applied and is no longer wanted
 * try { await nft.apply(tx); services.commit(); } catch (e) { services.discard(); throw e; }
 * ```
 *
 * The mirror changes only at `commit`, so a failed transaction (which the kernel applied not at
 * all) leaves it describing the kernel. A round that starts with `resync(tx)` flushes the set
 * and re-adds everything ensured: the full sync after a failure, or after anything else that
 * may have touched the set. Not for sets whose elements time out in the kernel.
 */
export interface NftElementMirror {
  readonly set: NftSetRef;
  /** Elements applied (committed). */
  readonly size: number;
  /**
   * Wants `element` present: adds nothing when it was applied as it is, `add element` when it
   * is new, `delete` + `add` when its value or comment changed (the kernel keeps an existing
   * element's comment, and refuses another value for an existing key).
   */
  ensure(tx: NftTransaction, element: NftMirroredElement): void;
  /** Wants `key` absent: `delete element` when it was applied. */
  remove(tx: NftTransaction, key: string | readonly string[]): void;
  /** Deletes every applied element not ensured in this round. */
  sweep(tx: NftTransaction): void;
  /** Starts the round with `flush set|map`: everything ensured in it is added again. */
  resync(tx: NftTransaction): void;
  /** The round's transaction was applied: the mirror now holds what it made. */
  commit(): void;
  /** The round's transaction failed: forget the round, keep what was applied before. */
  discard(): void;
  /** Whether `key` was applied, and with what (for tests and logs). */
  get(key: string | readonly string[]): NftMirroredElement | undefined;
}

interface Entry {
  element: NftMirroredElement;
  /** Everything but the key that the kernel keeps: a change of any of it replaces the element. */
  data: string;
}

function entryOf(element: NftMirroredElement): Entry {
  const value = element.value === undefined ? '' : nftConcat(element.value);
  return {
    element,
    data: `${value}\u0000${element.comment ?? ''}\u0000${element.timeoutSeconds ?? ''}`,
  };
}

export function createNftElementMirror(set: NftSetRef): NftElementMirror {
  let applied = new Map<string, Entry>();
  // The round: what was ensured and deleted since the last commit, and whether it began with
  // a flush (then nothing applied before counts).
  let wanted = new Map<string, Entry>();
  let removed = new Set<string>();
  let flushed = false;

  const label = (key: string) => `element ${set.kind} ${set.name} { ${key} }`;
  const current = (key: string): Entry | undefined =>
    flushed || removed.has(key) ? undefined : applied.get(key);
  const toElement = (element: NftMirroredElement): NftElement => ({
    kind: 'element',
    set: set.name,
    ...element,
  });

  function resetRound(): void {
    wanted = new Map();
    removed = new Set();
    flushed = false;
  }

  return {
    set,
    get size() {
      return applied.size;
    },
    ensure(tx, element) {
      const key = nftConcat(element.key);
      const entry = entryOf(element);
      const again = wanted.get(key);
      if (again !== undefined) {
        if (again.data === entry.data) return;
        throw new NftInputError(label(key), 'ensured twice in one sync with different values');
      }
      const before = current(key);
      removed.delete(key);
      wanted.set(key, entry);
      if (before?.data === entry.data) return;
      if (before !== undefined) tx.delete(toElement(element));
      tx.add(toElement(element));
    },
    remove(tx, keyParts) {
      const key = nftConcat(keyParts);
      // Present once tx runs if ensured earlier in the round (its add, if any, is in tx) or
      // applied before and not yet deleted.
      const present = wanted.delete(key) || current(key) !== undefined;
      if (present) tx.delete({ kind: 'element', set: set.name, key: keyParts });
      removed.add(key);
    },
    sweep(tx) {
      if (flushed) return;
      for (const [key, entry] of applied) {
        if (wanted.has(key) || removed.has(key)) continue;
        tx.delete(toElement(entry.element));
        removed.add(key);
      }
    },
    resync(tx) {
      if (wanted.size > 0 || removed.size > 0) {
        throw new NftInputError(
          `${set.kind} ${set.name}`,
          'resync must start a sync round, before ensure or remove',
        );
      }
      tx.flush(set);
      flushed = true;
    },
    commit() {
      if (flushed) {
        applied = wanted;
      } else {
        for (const key of removed) applied.delete(key);
        for (const [key, entry] of wanted) applied.set(key, entry);
      }
      resetRound();
    },
    discard: resetRound,
    get(keyParts) {
      return applied.get(nftConcat(keyParts))?.element;
    },
  };
}
