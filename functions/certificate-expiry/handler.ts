import { createCertificateExpiryHandler } from '../../shared/app/certificate-expiry.js';

/** The certificate-expiry function: daily, publishes the days left on each organisation's LRS client certificate. */
export const handler = createCertificateExpiryHandler();
