// PostgreSQL: the writes of a change as few statements as possible. Each statement is a round trip, so a run
// of consecutive inserts (or updates) of resources goes in one statement over arrays (unnest): a bulk job of
// 100 items is one UPDATE, not 100. Other writes are rare or cheap and keep their own statements (writeSql).
// SQLite keeps writeSql as it is: there a statement costs no round trip, and it sets only changed columns
// because SQLite rewrites index entries for every column an UPDATE sets. PostgreSQL compares the values (a
// HOT update when no indexed column changed), so setting every column to the same value costs it nothing.
import { indexedColumns, type Write } from '../catalog/state.js';
import { prepared, type Statement } from './pg-statements.js';
import { changesLoadedRow, writeSql } from './sql.js';

export interface WriteStep {
  sql: string | Statement;
  params: unknown[];
  /** Rows the statement must change; fewer means a row the change loaded was deleted meanwhile. */
  rows?: number;
}

/**
 * In array order, so seq follows the order of the writes. Parameters: the account, then one array per column.
 * The columns are the same for every row (those writeSql sets), so the statement's text is fixed.
 */
export const INSERT_RESOURCES = prepared(`INSERT INTO resources (account, kind, external_id, parent, title, sku, published, attributes, created, updated)
  SELECT ?::text, kind, external_id, parent, title, sku, published, attributes, created, updated
  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::smallint[], ?::text[], ?::text[], ?::text[])
    WITH ORDINALITY AS w(kind, external_id, parent, title, sku, published, attributes, created, updated, n)
  ORDER BY n`);

export const UPDATE_RESOURCES = prepared(`UPDATE resources r SET parent = w.parent, title = w.title, sku = w.sku, published = w.published,
    attributes = w.attributes, updated = w.updated
  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::smallint[], ?::text[], ?::text[])
    AS w(kind, external_id, parent, title, sku, published, attributes, updated)
  WHERE r.account = ? AND r.kind = w.kind AND r.external_id = w.external_id`);

type Grouped = Extract<Write, { op: 'insert' | 'update' }>;

const keyOf = (w: Grouped) => `${w.row.kind}\u0000${w.row.externalId}`;

/** One column array per parameter, from the rows' values in order. */
function columns(rows: unknown[][]): unknown[][] {
  return rows[0].map((_, k) => rows.map((row) => row[k]));
}

function groupStep(account: string, group: Grouped[]): WriteStep {
  const values = group.map(({ row }) => {
    const c = indexedColumns(row);
    return [row.kind, row.externalId, row.parent, c.title, c.sku, c.published, JSON.stringify(row.attributes)];
  });
  if (group[0].op === 'insert') {
    return { sql: INSERT_RESOURCES, params: [account, ...columns(group.map((w, i) => [...values[i], w.row.created, w.row.updated]))] };
  }
  return { sql: UPDATE_RESOURCES, params: [...columns(group.map((w, i) => [...values[i], w.row.updated])), account], rows: group.length };
}

/** The statements that carry out `writes`, in order. */
export function writeSteps(account: string, writes: Write[]): WriteStep[] {
  const steps: WriteStep[] = [];
  let group: Grouped[] = [];
  let keys = new Set<string>();
  const flush = () => {
    if (group.length > 0) steps.push(groupStep(account, group));
    group = [];
    keys = new Set();
  };
  for (const w of writes) {
    if (w.op === 'insert' || w.op === 'update') {
      // A row twice in one UPDATE ... FROM would be changed once, by either value: it starts a new statement.
      if (group.length > 0 && (group[0].op !== w.op || keys.has(keyOf(w)))) flush();
      group.push(w);
      keys.add(keyOf(w));
      continue;
    }
    flush();
    writeSql(account, w).forEach(([sql, params], i) => steps.push({ sql, params, rows: i === 0 && changesLoadedRow(w) ? 1 : undefined }));
  }
  flush();
  return steps;
}
