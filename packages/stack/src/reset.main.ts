/**
 * `npm run reset`: drops the demo databases and deletes the demo's event streams, so that the
 * next `npm start` begins afresh. Reads the same environment as `npm start`.
 */
import { loadStackConfig } from './config.js';
import { PreflightError } from './preflight.js';
import { resetStack } from './reset.js';
import { servicePorts } from './stack.js';

try {
  const config = loadStackConfig();
  const { databases, redisKeys } = await resetStack({
    ...config,
    ports: servicePorts(config.routerPort),
  });
  console.log(
    `Dropped the databases ${databases.join(', ')}.\n` +
      `Deleted ${redisKeys} Redis keys under "${config.streamPrefix}:".\n` +
      'The next npm start creates and seeds everything again.',
  );
} catch (error) {
  console.error(
    error instanceof PreflightError
      ? `\nNothing was reset.\n${error.message}\n`
      : `\nReset failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
