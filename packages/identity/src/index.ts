export {
  type AsserterOptions,
  type Caller,
  IdentityAsserter,
  IdentityVerifier,
  identityHeader,
  type VerifierOptions,
} from './identity-assertions.js';
export {
  generateServiceKeyPair,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOf,
  type ServiceKey,
  type ServiceKeyPair,
} from './service-keys.js';
export {
  defaultMaxTokenLifetimeSeconds,
  mintUserToken,
  UserTokenVerifier,
  type VerifiedViewer,
  type Viewer,
} from './user-tokens.js';
