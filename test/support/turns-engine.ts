// A stand-in for the job engine's thread in write-turns.test.ts: takes the shared write lock, holds it until
// the test sets cell 0, gives it back, and reports whether the test's write was in the database by the time
// it could go on.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { WriteTurns } from '../../src/store/write-turns.ts';

const { turns: buffer, control, path } = workerData as { turns: SharedArrayBuffer; control: SharedArrayBuffer; path: string };
const turns = new WriteTurns(buffer);
const release = new Int32Array(control);
const db = new Database(path, { readonly: true }); // opened now: looking afterwards must take no time
const written = db.prepare("SELECT count(*) FROM resources WHERE external_id = 'A'").pluck();

turns.engineTakes();
parentPort!.postMessage('taken');
while (Atomics.load(release, 0) === 0) Atomics.wait(release, 0, 0, 1000);
turns.engineGives(); // returns once the waiting request thread has written, or after 50 ms
parentPort!.postMessage({ writtenBeforeEngineWentOn: written.get() === 1 });
db.close();
