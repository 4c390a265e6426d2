/**
 * Stand-in for `@aws-sdk/credential-provider-node` (the SDK clients' default credential chain) in the
 * function bundles: FUNCTION_BUNDLING aliases the package to this file.
 *
 * Lambda hands a function its role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the first link of the default chain, and the one
 * every invocation ends at. The other links (SSO, shared ini files, credential processes, web identity
 * token files, container and instance metadata) are never reached there, but they and the STS, SSO and
 * sign-in clients they load are about 90 KB of every bundle, compiled at each cold start. So the bundles
 * read the environment only, with the SDK's own `fromEnv` (the same credentials, expiry, account id and
 * user-agent feature flag); without the variables a call fails with the SDK's
 * "Unable to find environment variable credentials." (CredentialsProviderError).
 *
 * Unlike the default chain, AWS_PROFILE is not honoured (Lambda never sets it). Code run outside the
 * bundles (tests, tools, the CDK app) keeps the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** What the SDK's runtime config passes to the default provider (only the logger is used here). */
export type DefaultProviderInit = Parameters<typeof fromEnv>[0];

export const defaultProvider = (init?: DefaultProviderInit): AwsCredentialIdentityProvider => fromEnv(init);
