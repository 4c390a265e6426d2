import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAuthorizer } from '../../shared/auth/authorizer.js';
import { createTokenVerifier, loadTokenIssuerConfig } from '../../shared/auth/token.js';
import { loadRegistryConfig } from '../../shared/config/runtime.js';
import { appLog } from '../../shared/observability/logger.js';
import { createRegistryReader } from '../../shared/wiring/dependencies.js';

/**
 * The API's Lambda REQUEST authorizer (identity source: the Authorization header). Environment:
 * REGISTRY_TABLE_NAME, REGISTRY_CACHE_SECONDS and the token issuer (COGNITO_USER_POOL_ID, or
 * TOKEN_ISSUER + TOKEN_AUDIENCE + TOKEN_JWKS_URI; TOKEN_SCOPE_PREFIX), see shared/config/names.ts.
 */
const registryConfig = loadRegistryConfig();
export const handler = createAuthorizer({
  verifier: createTokenVerifier(loadTokenIssuerConfig()),
  registry: createRegistryReader(registryConfig, new DynamoDBClient({})).reader,
  log: appLog,
});
