// The baseline: a bare node:http server that answers every request with one fixed JSON:API document (a
// response the real server gave for the same scenario, so the bytes on the wire match). It is what this
// machine, Node and HTTP/1.1 keep-alive can do with no framework, auth, SQL or rendering, so the ratio
// server/baseline req/s says how much of the ceiling the server reaches, largely independent of the machine.
// usage: node --import tsx bench/baseline.ts <body file> <status> <content-type>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyFile, status = '200', contentType = 'application/vnd.api+json'] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = { 'content-type': contentType, 'content-length': String(body.length) };

const server = createServer((req, res) => {
  // Read the request body as the real server must before it can answer.
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(Number(status), headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000; // Fastify's default, so neither side closes idle bench connections

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`baseline listening on http://127.0.0.1:${address.port}`);
});

// The bench holds our stdin open; when it closes, the bench is gone (even if SIGKILLed), so go too.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
