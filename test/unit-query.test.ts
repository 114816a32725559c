// The query parser in process: filters in Klaviyo's grammar, sparse fieldsets, include, sort and page size.
// Every refusal is a 400 naming the parameter.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../src/http/errors.ts';
import { parseQuery, type QuerySpec } from '../src/http/query.ts';

const ITEMS: QuerySpec = {
  fields: { 'catalog-item': ['id', 'title', 'price'] },
  include: ['variants'],
  filter: { ids: 'any', 'category.id': 'equals', title: 'contains', published: 'equals' },
  page: { pageSize: true },
  sort: true,
};
const parse = (query: Record<string, unknown>, spec = ITEMS) => parseQuery({ query, routeOptions: { config: { query: spec } } } as unknown as FastifyRequest);
const id = (x: string) => `$custom:::$default:::${x}`;

function refused(query: Record<string, unknown>, parameter: string, detail?: RegExp): void {
  assert.throws(() => parse(query), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 400);
    assert.deepEqual(err.source, { parameter });
    if (detail) assert.match(err.message, detail);
    return true;
  }, JSON.stringify(query));
}

it('parses filters joined by commas and and(...), with quoted strings, escapes and lists', () => {
  const q = parse({ filter: `and(equals(published,true),contains(title,"a \\"b\\", c")),any(ids,["${id('X')}",'${id('Y')}'])` });
  assert.deepEqual(q.filters, [
    { field: 'published', equals: true },
    { field: 'title', contains: 'a "b", c' },
    { field: 'ids', values: ['X', 'Y'] },
  ]);
  assert.deepEqual(parse({ filter: ` equals( category.id , "${id('C')}" ) ` }).filters, [{ field: 'category.id', equals: 'C' }]);
});

it('refuses filters it cannot parse or the endpoint does not allow, naming the position or the field', () => {
  refused({ filter: 'equals(published,true' }, 'filter', /expected '\)'/);
  refused({ filter: 'contains(title,"open' }, 'filter', /unterminated string/);
  refused({ filter: 'equals(sku,"S")' }, 'filter', /Filtering on 'sku' is not supported here/);
  refused({ filter: 'equals(title,"x")' }, 'filter', /can only be filtered with 'contains'/);
  refused({ filter: 'equals(published,"yes")' }, 'filter', /true or false/);
  refused({ filter: 'any(ids,[])' }, 'filter', /1 to 100 ids/);
  refused({ filter: 'any(ids,["plain"])' }, 'filter', /\$custom:::\$default:::/);
  refused({ filter: 'equals(published,true) trailing' }, 'filter', /unexpected text/);
  refused({ filter: `${'and('.repeat(12)}equals(published,true)${')'.repeat(12)}` }, 'filter', /nested too deeply/);
});

it('parses a long filter in one pass', () => {
  const many = Array.from({ length: 2_000 }, () => 'equals(published,true)').join(',');
  assert.equal(parse({ filter: many }).filters.length, 2_000);
});

it('takes fieldsets, include, sort and page size as declared, and nothing else', () => {
  const q = parse({ 'fields[catalog-item]': 'title,price', include: 'variants', sort: '-created', 'page[size]': '7' });
  assert.deepEqual([...q.fields.get('catalog-item')!], ['title', 'price']);
  assert.deepEqual([...q.include], ['variants']);
  assert.equal(q.page.descending, true);
  assert.equal(q.page.size, 7);
  assert.equal(parse({}).page.size, 100);
  refused({ 'fields[catalog-item]': 'colour' }, 'fields[catalog-item]');
  refused({ include: 'items' }, 'include');
  refused({ sort: 'title' }, 'sort');
  for (const size of ['0', '101', '1.5', '-1', ' 5']) refused({ 'page[size]': size }, 'page[size]');
  refused({ colour: 'red' }, 'colour');
  refused({ sort: ['created', '-created'] }, 'sort', /only once/);
  assert.throws(() => parse({ include: 'variants' }, { fields: ITEMS.fields }), ApiError, 'include where none is declared');
});
