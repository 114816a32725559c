// `catalog-server exec -- <command>`: a server on a fresh in-memory database, the command run with
// KLAVIYO_BASE_URL, KLAVIYO_API_KEY and CATALOG_ADMIN_TOKEN pointing at it, the server stopped, and the
// command's exit status passed on (as Firebase's `emulators:exec` does for CI).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ConfigError } from '../config.js';
import { startCatalogServer } from './start.js';

/** Runs the command after `--` (or the arguments as given); resolves to the exit status to pass on. */
export async function execCommand(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const [command, ...commandArgs] = dash >= 0 ? args.slice(dash + 1) : args;
  if (!command) throw new ConfigError('usage: catalog-server exec -- <command> [args...]');
  // Always a fresh database on a free port, whatever DATABASE_URL and PORT say: the command learns the URL.
  const { DATABASE_URL: _database, PORT: _port, ...env } = process.env;
  const server = await startCatalogServer({ env });
  try {
    const child = spawn(command, commandArgs, {
      stdio: 'inherit',
      env: { ...process.env, KLAVIYO_BASE_URL: server.url, KLAVIYO_API_KEY: server.apiKey, CATALOG_ADMIN_TOKEN: server.adminToken },
    });
    // Ctrl-C or a CI's SIGTERM reaches the command, which decides when to end; the server stops after it.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    try {
      return await new Promise<number>((resolve) => {
        child.once('error', (err) => {
          console.error(`catalog-server exec: cannot run ${command}: ${err.message}`);
          resolve(127);
        });
        child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
      });
    } finally {
      process.off('SIGINT', forward).off('SIGTERM', forward);
    }
  } finally {
    await server.stop();
  }
}
