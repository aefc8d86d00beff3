import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isolatedPrefixes } from './stack.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('npm start', () => {
  // Loading npm start's modules through tsx takes a while on a busy machine: a long timeout.
  it('stops before starting anything when its ports are taken, and says by what', async () => {
    // Stands in for a first `npm start`: holds the port a second one would give the router.
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const port = (held.address() as { port: number }).port;
    const { databasePrefix, streamPrefix } = isolatedPrefixes('test');
    const second = spawn(
      process.execPath,
      ['--conditions=@baedal/source', '--import', 'tsx', main],
      {
        env: {
          ...process.env,
          PORT: String(port),
          DATABASE_PREFIX: databasePrefix,
          EVENT_STREAM_PREFIX: streamPrefix,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    for (const stream of [second.stdout, second.stderr]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    }
    try {
      const [code] = await once(second, 'exit');
      expect(code).toBe(1);
      expect(output).toContain('These ports are already in use:');
      expect(output).toContain(`${port} (router): process ${process.pid}, `);
      expect(output).not.toContain('could not start');
    } finally {
      second.kill('SIGKILL');
      held.close();
    }
  }, 120_000);
});
