// The nine bulk job kinds: {items, variants, categories} x {create, update, delete}. One engine runs them all.
import { CATEGORY, ITEM, VARIANT, type ResourceDef } from '../catalog/resources.js';

export type JobAction = 'create' | 'update' | 'delete';

export interface JobKind {
  /** JSON:API type, e.g. catalog-item-bulk-update-job */
  type: string;
  /** URL segment under /api/ */
  path: string;
  resource: ResourceDef;
  action: JobAction;
  /** Name of the list in the request (data.attributes.<name>.data) and of the job's relationship. */
  listName: 'items' | 'variants' | 'categories';
  operations: { create: string; get: string; list: string };
}

const RESOURCES: [ResourceDef, JobKind['listName'], string][] = [
  [ITEM, 'items', 'catalog_items'],
  [VARIANT, 'variants', 'variants'],
  [CATEGORY, 'categories', 'categories'],
];

export const JOB_KINDS: JobKind[] = RESOURCES.flatMap(([resource, listName, opName]) =>
  (['create', 'update', 'delete'] as const).map((action) => ({
    type: `${resource.type}-bulk-${action}-job`,
    path: `${resource.type}-bulk-${action}-jobs`,
    resource,
    action,
    listName,
    operations: {
      create: `bulk_${action}_catalog_${listName}`,
      get: `get_bulk_${action}_${opName}_job`,
      list: `get_bulk_${action}_${opName}_jobs`,
    },
  })),
);

export const JOB_KIND_BY_TYPE = new Map(JOB_KINDS.map((k) => [k.type, k]));

/** Most jobs an account may have queued or processing at once. */
export const MAX_JOBS_IN_PROGRESS = 500;
