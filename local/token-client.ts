/**
 * Gets an access token from an OAuth 2.0 token endpoint with the client credentials grant (client id and
 * secret by HTTP Basic, RFC 6749 §2.3.1 and §4.4): what an MIS does against Cognito, and what the local
 * runtime's examples and tests do against the local token issuer.
 */
export const clientCredentialsToken = async (
  tokenEndpoint: string,
  clientId: string,
  clientSecret: string,
  scope?: string,
): Promise<{ accessToken: string; expiresIn: number; scope: string }> => {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    'base64',
  );
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`The token endpoint answered ${res.status} ${String(body.error ?? '')}`);
  }
  return {
    accessToken: body.access_token,
    expiresIn: Number(body.expires_in),
    scope: String(body.scope ?? ''),
  };
};
