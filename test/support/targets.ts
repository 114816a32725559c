// The storage backends the end-to-end suites run against: SQLite always, others when reachable.
import { describe } from 'node:test';
import { sqliteTarget, type StoreTarget } from './server.ts';

export async function storeTargets(): Promise<StoreTarget[]> {
  return [sqliteTarget];
}

/** Declares `suite` once per reachable storage backend. */
export async function forEachStore(name: string, suite: (target: StoreTarget) => void): Promise<void> {
  for (const target of await storeTargets()) describe(`${name} [${target.name}]`, () => suite(target));
}
