import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isolatedPrefixes, type Stack, startStack } from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

/*
 * The README's walk-through, pasted whole into bash (as a reader would into a terminal)
 * against the real processes: the shell blocks of its section, in order, with only the
 * router's address changed. Needs bash, curl and jq, as the README says.
 */

const repository = fileURLToPath(new URL('../../', import.meta.url));

/** The `sh` blocks of the README's section `heading`, dedented, in order. */
async function shellBlocksOf(heading: string): Promise<string> {
  const readme = await readFile(`${repository}README.md`, 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  const blocks = [...readme.slice(start, end).matchAll(/^( *)```sh\n([\s\S]*?)^ *```$/gm)];
  return blocks
    .map(([, indent, body]) =>
      body!
        .split('\n')
        .map((line) => line.slice(indent!.length))
        .join('\n'),
    )
    .join('\n');
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: { LOG_LEVEL: 'warn' },
  });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe('the README walk-through', () => {
  it('takes an order from placed to delivered when pasted whole', async () => {
    const walkthrough = await shellBlocksOf('Walking an order through');
    expect(walkthrough).toContain('http://localhost:4000/graphql');
    const script = walkthrough.replaceAll('http://localhost:4000/graphql', stack.routerUrl);

    const bash = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd: repository,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: a failed test stops the script's curl and npm too.
      detached: true,
    });
    let output = '';
    let errors = '';
    bash.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    bash.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    onTestFinished(() => {
      if (bash.exitCode === null) process.kill(-bash.pid!, 'SIGKILL');
    });
    const [code] = await once(bash, 'exit');

    expect(errors).toBe('');
    expect(code).toBe(0);
    const answers = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { data?: unknown; errors?: unknown });
    // Every step was answered, and none with an error.
    expect(answers.length).toBeGreaterThanOrEqual(12);
    expect(answers.filter((answer) => answer.errors)).toEqual([]);
    expect(answers.at(-1)).toMatchObject({
      data: {
        order: {
          status: 'DELIVERED',
          payment: { status: 'CAPTURED' },
          // The kitchen hears of the confirmation by its event: a moment later it says DELIVERED.
          kitchenTicket: { status: expect.stringMatching(/^(READY|DELIVERED)$/) },
          delivery: { rider: { name: expect.any(String) } },
        },
      },
    });
  }, 300_000);
});
