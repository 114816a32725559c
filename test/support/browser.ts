// Headless Chromium for tests that look at a page as a person would: Debian's chromium, driven by
// playwright-core (which downloads no browser of its own). A machine without it skips such tests with a
// visible message, or fails them when CATALOG_TEST_REQUIRE_SERVICES=1 (CI installs it: .ci/run).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CATALOG_TEST_CHROMIUM || '/usr/bin/chromium';
const REQUIRED = process.env.CATALOG_TEST_REQUIRE_SERVICES === '1';

/** Nothing but the page under test: no network of the browser's own (updates, sync, QUIC probes). */
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Why there is no browser, printed; throws instead when services are required. */
function unavailable(reason: string): null {
  if (REQUIRED) throw new Error(`${reason}, and CATALOG_TEST_REQUIRE_SERVICES=1`);
  console.log(`SKIP ${reason}`);
  return null;
}

/** A running headless Chromium, or null (with a SKIP message) when there is none on this machine. */
export async function launchBrowser(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) return unavailable(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  } catch (err) {
    return unavailable(`chromium at ${CHROMIUM} did not start (${(err as Error).message.split('\n')[0]})`);
  }
}
