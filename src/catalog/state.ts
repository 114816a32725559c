// A snapshot of the resources one change refers to, and the log of writes that change makes.
// Domain code reads and writes this; the store adapter loads it and commits the log in one transaction.
import type { Subscription } from './back-in-stock.js';
import type { ResourceKind } from './resources.js';
import type { ResourceRef, ResourceRow } from './model.js';

export type Write =
  | { op: 'insert'; row: ResourceRow }
  /** `before` is the row as it was read in this change, so a store can write only what differs. */
  | { op: 'update'; row: ResourceRow; before: ResourceRow }
  /** Deleting an item also deletes its variants and category links; a category, its links. */
  | { op: 'delete'; kind: ResourceKind; externalId: string }
  | { op: 'link'; item: string; category: string }
  | { op: 'unlink'; item: string; category: string }
  | { op: 'unlinkAll'; side: 'item' | 'category'; externalId: string }
  | { op: 'subscribe'; subscription: Subscription };

const key = (kind: ResourceKind, externalId: string) => `${kind}\u0000${externalId}`;

/** A point in a change to return to (see CatalogState.rollback). */
export interface StateMark {
  writes: number;
  undo: number;
}

export class CatalogState {
  private readonly rows = new Map<string, ResourceRow | null>();
  readonly writes: Write[] = [];
  /** Each row replaced since the start, with what it replaced, so a failed part of a change can be undone. */
  private readonly undo: [string, ResourceRow | null | undefined][] = [];

  constructor(refs: ResourceRef[], loaded: ResourceRow[]) {
    for (const ref of refs) this.rows.set(key(ref.kind, ref.externalId), null);
    for (const row of loaded) this.rows.set(key(row.kind, row.externalId), row);
  }

  private set(key: string, row: ResourceRow | null): void {
    this.undo.push([key, this.rows.get(key)]);
    this.rows.set(key, row);
  }

  mark(): StateMark {
    return { writes: this.writes.length, undo: this.undo.length };
  }

  /** The writes recorded since `mark`. */
  writesSince(mark: StateMark): Write[] {
    return this.writes.slice(mark.writes);
  }

  /** Forgets everything recorded since `mark`: the rows read as they did then, and its writes are dropped. */
  rollback(mark: StateMark): void {
    while (this.undo.length > mark.undo) {
      const [key, row] = this.undo.pop()!;
      if (row === undefined) this.rows.delete(key);
      else this.rows.set(key, row);
    }
    this.writes.length = mark.writes;
  }

  get(kind: ResourceKind, externalId: string): ResourceRow | undefined {
    const row = this.rows.get(key(kind, externalId));
    if (row === undefined) throw new Error(`${kind} ${externalId} was not loaded before use`);
    return row ?? undefined;
  }

  insert(row: ResourceRow): void {
    this.set(key(row.kind, row.externalId), row);
    this.writes.push({ op: 'insert', row });
  }

  update(row: ResourceRow): void {
    const before = this.get(row.kind, row.externalId);
    if (!before) throw new Error(`${row.kind} ${row.externalId} does not exist and cannot be updated`);
    this.set(key(row.kind, row.externalId), row);
    this.writes.push({ op: 'update', row, before });
  }

  delete(kind: ResourceKind, externalId: string): void {
    this.set(key(kind, externalId), null);
    if (kind === 'item') {
      for (const [k, row] of this.rows) if (row?.kind === 'variant' && row.parent === externalId) this.set(k, null);
    }
    this.writes.push({ op: 'delete', kind, externalId });
  }

  link(item: string, category: string): void {
    this.writes.push({ op: 'link', item, category });
  }

  unlink(item: string, category: string): void {
    this.writes.push({ op: 'unlink', item, category });
  }

  unlinkAll(side: 'item' | 'category', externalId: string): void {
    this.writes.push({ op: 'unlinkAll', side, externalId });
  }

  subscribe(subscription: Subscription): void {
    this.writes.push({ op: 'subscribe', subscription });
  }
}

/** Columns the stores keep beside the JSON attributes so lists can filter and sort with indexes. */
export function indexedColumns(row: ResourceRow) {
  const a = row.attributes;
  return {
    title: (row.kind === 'category' ? a.name : a.title) ?? null,
    sku: a.sku ?? null,
    published: a.published === undefined || a.published === null ? null : a.published ? 1 : 0,
  } as { title: string | null; sku: string | null; published: 0 | 1 | null };
}
