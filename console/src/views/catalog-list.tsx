// A list of items, variants or categories: the list's own filters (as the spec allows them), sort, page
// size, and cursor paging with the document's links.next / links.prev. Everything lives in the route.
import { useState } from 'preact/hooks';
import { cursorOf } from '../api.ts';
import { externalIdOf, filterExpression, filterFields, type CatalogView } from '../catalog.ts';
import { Loading, Problem, RequestLine, Scroll, text } from '../components.tsx';
import { useDocument, useTitle } from '../hooks.ts';
import { href, navigate } from '../route.ts';

const SIZES = ['10', '25', '50', '100'];

/** The path a list route asks the API for. */
export function listPath(view: CatalogView, query: URLSearchParams): string {
  const params = new URLSearchParams();
  const values = Object.fromEntries(query);
  const filter = filterExpression(view, values);
  if (filter) params.set('filter', filter);
  if (values.sort) params.set('sort', values.sort);
  params.set('page[size]', values.size || '25');
  if (values.cursor) params.set('page[cursor]', values.cursor);
  return `/api/${view.def.path}?${params}`;
}

function FilterForm({ view, query }: { view: CatalogView; query: URLSearchParams }) {
  const fields = filterFields(view);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(query));
  const set = (name: string) => (e: { currentTarget: { value: string } }) => setValues({ ...values, [name]: e.currentTarget.value });
  const id = (name: string) => `filter-${view.route}-${name}`;

  function apply(event: Event) {
    event.preventDefault();
    const { cursor: _dropped, ...rest } = values; // a new filter starts at the first page
    navigate([view.route], rest);
  }

  return (
    <form class="filters" role="search" aria-label={`Filter ${view.label.toLowerCase()}`} onSubmit={apply}>
      {fields.map((f) => (
        <div class="field">
          <label for={id(f.param)}>{f.label}</label>
          {f.field === 'published' ? (
            <select id={id(f.param)} value={values[f.param] ?? ''} onChange={set(f.param)}>
              <option value="">any</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          ) : (
            <input id={id(f.param)} type="text" value={values[f.param] ?? ''} onInput={set(f.param)} spellcheck={false} />
          )}
        </div>
      ))}
      <div class="field">
        <label for={id('sort')}>Order</label>
        <select id={id('sort')} value={values.sort ?? ''} onChange={set('sort')}>
          <option value="">oldest first</option>
          <option value="-created">newest first</option>
        </select>
      </div>
      <div class="field">
        <label for={id('size')}>Per page</label>
        <select id={id('size')} value={values.size ?? '25'} onChange={set('size')}>
          {SIZES.map((s) => <option value={s}>{s}</option>)}
        </select>
      </div>
      <div class="actions">
        <button type="submit">Apply</button>
        <a href={href([view.route])}>Clear</a>
      </div>
    </form>
  );
}

export function CatalogList({ view, query }: { view: CatalogView; query: URLSearchParams }) {
  useTitle(view.label);
  const path = listPath(view, query);
  const { answer, error, loading } = useDocument(path);
  const rows: any[] = answer?.document?.data ?? [];
  const links = answer?.document?.links ?? {};
  const page = (cursor: string | undefined) => navigate([view.route], { ...Object.fromEntries(query), cursor });

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>{view.label}</h1>
      <FilterForm key={query.toString()} view={view} query={query} />
      <RequestLine path={path} />
      {error !== undefined && <Problem error={error} />}
      {loading && !answer && <Loading what={view.label.toLowerCase()} />}
      {answer && (
        <>
          <Scroll label={`${view.label} on this page`}>
            <table>
              <caption class="visually-hidden">{view.label}</caption>
              <thead>
                <tr>
                  <th scope="col">External id</th>
                  {view.columns.map((c) => <th scope="col">{c}</th>)}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr>
                    <td><a href={href([view.route, row.id])}>{externalIdOf(row.id) ?? row.id}</a></td>
                    {view.columns.map((c) => <td>{text(row.attributes?.[c])}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          {rows.length === 0 && <p class="empty">No {view.label.toLowerCase()} match.</p>}
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={!links.prev} onClick={() => page(cursorOf(links.prev))}>Previous page</button>
            <button type="button" disabled={!links.next} onClick={() => page(cursorOf(links.next))}>Next page</button>
          </nav>
        </>
      )}
    </section>
  );
}
