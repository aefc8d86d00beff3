export {
  type Caller,
  IdentityAsserter,
  IdentityVerifier,
  identityHeader,
} from './identity-assertions.js';
export {
  mintUserToken,
  UserTokenVerifier,
  type VerifiedViewer,
  type Viewer,
} from './user-tokens.js';
