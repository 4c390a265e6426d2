import type { OrganisationCredentials } from '../../../shared/ports/credentials.js';

/** Credentials for tests; organisationRef may be explicitly undefined to drop it. */
export type OperationCredentialsLike = Omit<OrganisationCredentials, 'organisationRef'> & {
  readonly organisationRef?: string | undefined;
};
