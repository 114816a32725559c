// How the PostgreSQL adapter hands SQL to node-postgres. sql.ts writes `?` placeholders, which PostgreSQL
// numbers; the numbering of each text is done once. The statements run on every request or job (fixed texts)
// are named prepared statements: each connection parses them once, and PostgreSQL plans them once (a generic
// plan) when that is as good as planning each call, which was most of its work for a GET of one item.

export interface Statement {
  text: string;
  /** Set for a prepared statement. */
  name?: string;
}

/** Distinct texts remembered; list queries vary with their filters, so the cache is bounded. */
const MAX_CACHED = 500;
const numberedTexts = new Map<string, string>();

/** `sql` with its `?` placeholders numbered. None of our SQL has a `?` inside a literal. */
export function numbered(sql: string): string {
  let text = numberedTexts.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numberedTexts.size >= MAX_CACHED) numberedTexts.clear();
    numberedTexts.set(sql, text);
  }
  return text;
}

let names = 0;

/**
 * A fixed statement, prepared on each connection the first time it runs there. Its result columns are named,
 * not `*`: a prepared `SELECT *` fails once a migration adds a column ("cached plan must not change result type").
 */
export function prepared(sql: string): Statement {
  return { name: `catalog_${++names}`, text: numbered(sql) };
}
