// Child processes of the bench (the catalog server and the baseline) and what we read about them from /proc.
// Every child is registered so that it is killed however the bench ends: normal exit, error or signal.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`bench: ${signal}, stopping children`);
    killAll();
    process.exit(130);
  });
}

/** Synchronous clean-ups (dropping a PostgreSQL copy) run after the children are killed, however the bench ends. */
const exitHooks: (() => void)[] = [];
export function onExit(hook: () => void): () => void {
  exitHooks.push(hook);
  return () => {
    const i = exitHooks.indexOf(hook);
    if (i >= 0) exitHooks.splice(i, 1);
  };
}
process.on('exit', () => {
  for (const hook of exitHooks.splice(0)) {
    try {
      hook();
    } catch (err) {
      console.error(err);
    }
  }
});

export interface Running {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** From spawn to the "listening on" line. */
  startupMs: number;
  output: () => string;
}

/** Spawns a process that prints `listening on http://127.0.0.1:PORT` and resolves once it has. */
export function startListening(name: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Running> {
  const t0 = performance.now();
  // stdin stays a pipe: the baseline exits when it closes, so it cannot outlive a SIGKILLed bench.
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const output = () => out;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} ${why}:\n${out}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ name, child, pid: child.pid!, url: m[1], startupMs: performance.now() - t0, output });
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
  });
}

/** The account's full-access key every bench server is started with (CATALOG_API_KEY). */
export const KEY = `pk_benchloopbackonly${'0'.repeat(20)}`;

/** The catalog server (dist/, so build first) on `databaseUrl`, on a free port, rate limits off. */
export function startServer(databaseUrl: string, args: string[] = [], env: Record<string, string> = {}): Promise<Running> {
  return startListening('server', [`${ROOT}/dist/cli.js`, 'serve', ...args], {
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, CATALOG_API_KEY: KEY, CATALOG_RATE_LIMITS: 'off', ...env,
  });
}

/** SIGTERM (the server finishes in-flight work and closes the store), SIGKILL if it takes too long. */
export async function stop(p: Running, graceMs = 20_000): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Resident bytes of the process, and of its mappings of `file`, from one read of /proc/<pid>/smaps. Both from
 * the same read: SQLite maps the store anew as it grows, and a mapping replaced while smaps is being read can
 * be missing from it, which against VmRSS (read apart) once counted a 727 MB mapping as server memory.
 */
function residentBytes(pid: number, file: string | undefined): { total: number; inFile: number } {
  let total = 0;
  let inFile = 0;
  let isFile = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) isFile = file !== undefined && line.endsWith(` ${file}`);
    else if (line.startsWith('Rss:')) {
      const bytes = Number(/(\d+) kB/.exec(line)![1]) * 1024;
      total += bytes;
      if (isFile) inFile += bytes;
    }
  }
  return { total, inFile };
}

export interface RssWatch {
  /** Stops sampling: the peak RSS without the mapped store, and the most of the store that was mapped. */
  stop(): { peak: number; mapped: number };
}

/**
 * The server's peak RSS while a scenario runs, sampled every 100 ms, leaving out the resident pages of the
 * store file it maps (SQLite reads through mmap: those pages are the kernel's file cache, shared and
 * reclaimable, and would otherwise count a 1 GB store read at random as 1 GB of server memory).
 */
export function watchRss(pid: number, mappedFile?: string): RssWatch {
  let peak = 0;
  let mapped = 0;
  const sample = () => {
    try {
      const { total, inFile } = residentBytes(pid, mappedFile);
      peak = Math.max(peak, total - inFile);
      mapped = Math.max(mapped, inFile);
    } catch {
      // the process has exited
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peak, mapped };
    },
  };
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a process has used, in seconds: how busy the server was during a round. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The store on disk: the database file and its write-ahead log. */
export function storeBytes(dbPath: string): number {
  let total = 0;
  for (const path of [dbPath, `${dbPath}-wal`]) {
    try {
      total += statSync(path).size;
    } catch {
      // no WAL right now
    }
  }
  return total;
}
