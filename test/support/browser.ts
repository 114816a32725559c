// Real Chromium for browser tests: Debian's `chromium` package driven by playwright-core. Without it, the
// browser suites are skipped with a visible message; with CATALOG_TEST_REQUIRE_SERVICES=1 (CI) that is an
// error instead, so that a green run means they ran.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CATALOG_TEST_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Chromium, or null (after saying why) when it is not installed. */
export async function launchBrowser(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    const reason = `chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
    if (process.env.CATALOG_TEST_REQUIRE_SERVICES === '1') throw new Error(`${reason}, and CATALOG_TEST_REQUIRE_SERVICES=1`);
    console.log(`SKIP ${reason}`);
    return null;
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
