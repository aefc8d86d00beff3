/**
 * How long `npm start` takes to be ready: wall time from spawning it to its "ready" banner,
 * over 3 runs (the first may include warming the TypeScript transpile cache). Needs the
 * default ports 4000..4004 to be free.
 *
 *     npm run bench
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { summarize } from './support.js';

const repository = fileURLToPath(new URL('../../', import.meta.url));
const samples: number[] = [];

for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: repository,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Baedal is ready')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)),
    );
  });
  await ready;
  samples.push(performance.now() - started);
  process.kill(-child.pid!, 'SIGINT');
  await once(child, 'exit');
}

console.log('npm start, from the command to "Baedal is ready" (ms, 3 runs)');
console.table({ 'npm start': { ...summarize(samples), runs: samples.map(Math.round).join(', ') } });
