/**
 * `npm run token -- <role> <id> [expiresIn]`: prints a bearer token for a person, signed
 * with JWT_SECRET (the development secret by default, as `npm start` uses). A token may not
 * live longer than TOKEN_MAX_LIFETIME_SECONDS (one day by default), which the router
 * enforces. For example:
 *
 *     TOKEN=$(npm run -s token -- CUSTOMER customer-1)
 */
import { isRole, roles } from '@baedal/domain';
import { mintUserToken } from '@baedal/identity';
import { loadConfig } from '@baedal/service-kit';
import { tokenVariables } from './config.js';

const [role, id, expiresIn = '12h'] = process.argv.slice(2);
if (!isRole(role) || !id) {
  console.error(`Usage: npm run token -- <${roles.join('|')}> <id> [expiresIn, e.g. 12h]`);
  process.exit(2);
}
try {
  const { jwtSecret, tokenMaxLifetimeSeconds } = loadConfig(tokenVariables);
  console.log(
    await mintUserToken({ role, id }, jwtSecret, {
      expiresIn,
      maxLifetimeSeconds: tokenMaxLifetimeSeconds,
    }),
  );
} catch (error) {
  // Bad configuration, an id no token may carry, or a lifetime past the maximum.
  console.error((error as Error).message);
  process.exit(2);
}
