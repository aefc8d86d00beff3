/**
 * Bundles the playground into `dist/`: `index.html`, which the router serves at `GET /graphql`,
 * and content-hashed assets, which it serves under `/playground/` with a long cache. Everything
 * comes from node_modules; the page loads nothing from anywhere but the router.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('dist/', import.meta.url));
const assets = `${dist}assets/`;
/** Where the router serves `dist/assets` (see `router/src/playground.ts`). */
const publicPath = '/playground/';

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  platform: 'browser',
  target: 'es2022',
  outdir: assets,
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
} satisfies esbuild.BuildOptions;

/**
 * GraphiQL's stylesheet already holds all of Monaco's styles. Monaco's modules import their own
 * CSS as well, which would come twice, and, as they sit in a lazily loaded chunk, in a
 * stylesheet that esbuild never loads; so those imports become empty modules.
 */
const monacoCssFromGraphiql: esbuild.Plugin = {
  name: 'monaco-css-from-graphiql',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, ({ path, importer }) =>
      importer.includes('/node_modules/monaco-editor/') ? { path, namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /./, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/** The URL of the bundle built from `entry`. */
function urlOf(result: esbuild.BuildResult<typeof common>, entry: string): string {
  const output = Object.entries(result.metafile.outputs).find(
    ([, meta]) => meta.entryPoint?.endsWith(entry) && !meta.entryPoint.startsWith('empty:'),
  );
  if (!output) throw new Error(`esbuild produced no bundle for ${entry}`);
  return publicPath + basename(output[0]);
}

await rm(dist, { recursive: true, force: true });

// Monaco's workers first: the page needs their (hashed) URLs. Classic workers, one file each.
const workers = await esbuild.build({
  ...common,
  format: 'iife',
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
});
const workerUrls = {
  editor: urlOf(workers, 'editor.worker.js'),
  json: urlOf(workers, 'json.worker.js'),
  graphql: urlOf(workers, 'graphql.worker.js'),
};

// The page: ES modules split so that Monaco (imported lazily by GraphiQL) loads after the first
// paint; one stylesheet.
const page = await esbuild.build({
  ...common,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  entryPoints: { playground: 'src/main.tsx', style: 'src/playground.css' },
  define: { ...common.define, PLAYGROUND_WORKERS: JSON.stringify(workerUrls) },
  plugins: [monacoCssFromGraphiql],
});

await writeFile(
  `${dist}index.html`,
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Baedal GraphQL playground</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${urlOf(page, 'src/playground.css')}" />
    <script type="module" src="${urlOf(page, 'src/main.tsx')}"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`,
);

// Sizes, largest first: what a browser downloads (and roughly what it costs compressed).
const files = [...Object.keys(workers.metafile.outputs), ...Object.keys(page.metafile.outputs)];
const sizes = await Promise.all(
  files.map(async (file) => {
    const bytes = await readFile(`${here}${file}`);
    return { file: basename(file), size: bytes.length, gzip: gzipSync(bytes).length };
  }),
);
sizes.sort((a, b) => b.size - a.size);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`.padStart(10);
for (const { file, size, gzip } of sizes) console.log(`${kb(size)} ${kb(gzip)} gz  ${file}`);
const total = (key: 'size' | 'gzip') => sizes.reduce((sum, entry) => sum + entry[key], 0);
console.log(`${kb(total('size'))} ${kb(total('gzip'))} gz  total, in ${dist}`);
