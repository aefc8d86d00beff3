/**
 * `npm run -s secrets > .env`: prints fresh secrets and keys for a deployment, as the lines
 * of an `.env` file (docker compose reads it; see README, Deploying). Each run prints new
 * ones. In the image: `node router/dist/secrets.main.js`.
 */
import { randomBytes } from 'node:crypto';
import { generateServiceKeyPair } from '@baedal/identity';

const router = generateServiceKeyPair();
const order = generateServiceKeyPair();

console.log(`# Baedal's secrets, made by \`npm run secrets\` on ${new Date().toISOString()}.
# Keep this file private: anyone who reads it can act as anyone.

# Verifies people's bearer tokens (router); your identity provider signs with it.
JWT_SECRET=${randomBytes(48).toString('base64url')}
# The router signs identity assertions; every subgraph verifies them.
ROUTER_PRIVATE_KEY=${router.privateKey}
ROUTER_PUBLIC_KEYS=${router.publicKey}
# The order subgraph signs its calls to the payment and kitchen subgraphs' internal endpoints.
ORDER_PRIVATE_KEY=${order.privateKey}
ORDER_PUBLIC_KEYS=${order.publicKey}
POSTGRES_PASSWORD=${randomBytes(24).toString('hex')}

# Origins of the web apps that call the API from a browser, comma-separated.
CORS_ORIGINS=http://localhost:4000`);
