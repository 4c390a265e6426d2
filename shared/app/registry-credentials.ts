/**
 * Organisation credentials that follow the registry: when the operator rotates an organisation's
 * certificate (`npm run admin -- org rotate`), the registry records the secret's new version; a function
 * whose cached credentials are of another version reloads them once (within the registry cache window,
 * with no restart). The LRS client also reloads after a TLS or credential failure (shared/lrs/soap/client.ts).
 */
import type { CredentialsSource, OrganisationCredentials } from '../ports/credentials.js';
import type { RegistryReader } from '../ports/registry.js';

export const registryCredentials = (
  inner: CredentialsSource,
  registry: Pick<RegistryReader, 'getOrganisation'>,
): CredentialsSource => {
  /** The registry version each organisation was last reloaded for (reload once per version). */
  const reloadedFor = new Map<string, string>();
  return {
    get: async (organisationId: string): Promise<OrganisationCredentials> => {
      const [organisation, credentials] = await Promise.all([
        registry.getOrganisation(organisationId),
        inner.get(organisationId),
      ]);
      const wanted = organisation?.secretVersionId;
      if (!wanted || credentials.version === wanted || reloadedFor.get(organisationId) === wanted) {
        return credentials;
      }
      reloadedFor.set(organisationId, wanted);
      inner.invalidate(organisationId);
      return inner.get(organisationId);
    },
    invalidate: (organisationId: string) => inner.invalidate(organisationId),
  };
};
