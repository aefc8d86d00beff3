/**
 * `node deploy/dist/runtime-tree.main.js <target>`: copies the files the services need at run
 * time to `target` (see `copyRuntimeTree`). The Dockerfile's build stage runs it after the
 * build and `npm prune`; only Node's own modules are used, so it runs after the prune.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRuntimeTree } from './runtime-tree.js';

const target = process.argv[2];
if (!target) {
  console.error('Usage: node deploy/dist/runtime-tree.main.js <target folder>');
  process.exit(2);
}
const repository = fileURLToPath(new URL('../../', import.meta.url));
const folders = await copyRuntimeTree(repository, resolve(target));
console.log(`Copied the run-time files of ${folders.join(', ')} to ${target}.`);
