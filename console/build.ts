// Builds the console into dist/console: one minified ES module bundle (Preact and the app), its style sheet,
// the page and its icon. Run by `npm run build` (and so by `npm ci`); nothing is fetched at run time.
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const out = join(here, '..', 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'favicon.svg']) copyFileSync(join(here, file), join(out, file));
console.log(`console built: app.js ${(statSync(join(out, 'app.js')).size / 1024).toFixed(1)} KB`);
