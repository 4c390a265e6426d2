import { createCertificateExpiryHandler } from '../../shared/handlers/certificate-expiry-handler.js';

/** The certificate-expiry function: daily, publishes the days left on each organisation's LRS client certificate. */
export const handler = createCertificateExpiryHandler();
