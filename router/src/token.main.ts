/**
 * `npm run token -- <role> <id> [expiresIn]`: prints a bearer token for a person, signed
 * with JWT_SECRET (the development secret by default, as `npm start` uses). For example:
 *
 *     TOKEN=$(npm run -s token -- CUSTOMER customer-1)
 */
import { isRole, roles } from '@baedal/domain';
import { mintUserToken } from '@baedal/identity';
import { developmentSecrets } from '@baedal/service-kit';

const [role, id, expiresIn = '12h'] = process.argv.slice(2);
if (!isRole(role) || !id) {
  console.error(`Usage: npm run token -- <${roles.join('|')}> <id> [expiresIn, e.g. 12h]`);
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? developmentSecrets.jwt;
try {
  console.log(await mintUserToken({ role, id }, secret, { expiresIn }));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
