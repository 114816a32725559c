// One item, variant or category: every attribute, the relationships it can follow (through the API's
// relationship endpoints), and the document exactly as the API returned it.
import { localPath } from '../api.ts';
import { externalIdOf, viewOfType, type CatalogView, type Related } from '../catalog.ts';
import { JsonBlock, Loading, Pairs, Problem, RequestLine, prettyText } from '../components.tsx';
import { useDocument, useTitle } from '../hooks.ts';
import { apiId, href } from '../route.ts';

const RELATED_SHOWN = 20;

function RelatedList({ owner, related, link }: { owner: string; related: Related; link: string }) {
  const path = `${localPath(link)}?page%5Bsize%5D=${RELATED_SHOWN}`;
  const { answer, error, loading } = useDocument(path);
  const rows: any[] = answer?.document?.data ?? [];
  const headingId = `related-${related.name}`;
  return (
    <section class="related" aria-labelledby={headingId}>
      <h3 id={headingId}>{related.name[0].toUpperCase() + related.name.slice(1)}</h3>
      {error !== undefined && <Problem error={error} />}
      {loading && <Loading what={related.name} />}
      {answer && rows.length === 0 && <p class="empty">None.</p>}
      {rows.length > 0 && (
        <ul>
          {rows.map((row) => {
            const view = viewOfType(row.type);
            const label = `${externalIdOf(row.id) ?? row.id}${row.attributes?.title ?? row.attributes?.name ? ` — ${row.attributes.title ?? row.attributes.name}` : ''}`;
            return <li>{view ? <a href={href([view.route, row.id])}>{label}</a> : label}</li>;
          })}
        </ul>
      )}
      <p>
        <a href={href([related.name], { [related.param]: owner })}>All {related.name} of this {related.param} in the list</a>
      </p>
    </section>
  );
}

export function ResourceDetail({ view, id }: { view: CatalogView; id: string }) {
  const path = `/api/${view.def.path}/${apiId(id)}`;
  const { answer, error, loading } = useDocument(path);
  const data = answer?.document?.data;
  const name = data?.attributes?.title ?? data?.attributes?.name ?? externalIdOf(id) ?? id;
  useTitle(String(name));

  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb"><a href={href([view.route])}>{view.label}</a></p>
      <h1 id="view-title" tabIndex={-1}>{String(name)}</h1>
      <RequestLine path={path} />
      {error !== undefined && <Problem error={error} />}
      {loading && !answer && <Loading what={view.def.type} />}
      {data && (
        <>
          <h2>Attributes</h2>
          <Pairs label="Attributes" rows={[['type', data.type], ['id', data.id], ...Object.entries<unknown>(data.attributes ?? {})]} />
          <h2>Relationships</h2>
          {view.related.map((related) => (
            <RelatedList key={`${id}-${related.name}`} owner={id} related={related}
              link={data.relationships?.[related.name]?.links?.related ?? `/api/${view.def.path}/${apiId(id)}/${related.name}/`} />
          ))}
          {view.def.kind === 'variant' && (
            <p class="help">
              Klaviyo gives a variant's item as links only (<code>{data.relationships?.item?.links?.related ?? 'none'}</code>), and the
              Catalogs API has no operation that reads it; the item's page lists its variants.
            </p>
          )}
          <JsonBlock label={`GET ${path}, as the API returned it`} body={prettyText(answer!.text)} />
        </>
      )}
    </section>
  );
}
