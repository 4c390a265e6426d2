import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRegistry } from '../../shared/adapters/dynamodb-registry.js';
import { cachedRegistry } from '../../shared/app/registry-cache.js';
import { createAuthorizer } from '../../shared/auth/authorizer.js';
import { createTokenVerifier, loadTokenIssuerConfig } from '../../shared/auth/token.js';
import { loadRegistryConfig } from '../../shared/config/runtime.js';
import { appLog } from '../../shared/observability/logger.js';

/**
 * The API's Lambda REQUEST authorizer (identity source: the Authorization header). Environment:
 * REGISTRY_TABLE_NAME, REGISTRY_CACHE_SECONDS and the token issuer (COGNITO_USER_POOL_ID, or
 * TOKEN_ISSUER + TOKEN_AUDIENCE + TOKEN_JWKS_URI; TOKEN_SCOPE_PREFIX), see shared/config/names.ts.
 */
const registryConfig = loadRegistryConfig();
export const handler = createAuthorizer({
  verifier: createTokenVerifier(loadTokenIssuerConfig()),
  registry: cachedRegistry(
    new DynamoDbRegistry({ tableName: registryConfig.registryTableName, client: new DynamoDBClient({}) }),
    registryConfig.registryCacheSeconds * 1000,
  ),
  log: appLog,
});
