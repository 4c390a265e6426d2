/** doctor's words for each TLS failure say which side refused what, and what to do. */
import { describe, expect, it } from 'vitest';
import { LrsRejectedError } from '../../../shared/domain/errors.js';
import { explain } from '../../../tools/admin/doctor.js';

const tls = (code: string) => explain(new LrsRejectedError(code, 'TLS'));

describe('doctor explains TLS failures', () => {
  it('blames the client certificate only when the LRS refused it', () => {
    expect(tls('TLS_CLIENT_CERTIFICATE_REJECTED').explanation).toMatch(
      /did not accept the client certificate/,
    );
    expect(tls('TLS_HANDSHAKE_REFUSED').explanation).toMatch(/did not accept the client certificate/);
  });

  it('names the server CA for an untrusted LRS server certificate, not the client certificate', () => {
    const d = tls('TLS_SERVER_CERTIFICATE_UNTRUSTED');
    expect(d).toMatchObject({ ok: false, code: 'TLS_SERVER_CERTIFICATE_UNTRUSTED' });
    expect(d.explanation).toMatch(/does not trust the LRS server certificate/);
    expect(d.explanation).toContain('--server-ca');
    expect(d.explanation).not.toMatch(/client certificate/);
  });

  it('says a weak server key is the server side, and an unusable key pair is the organisation’s', () => {
    expect(tls('TLS_SERVER_KEY_TOO_WEAK').explanation).toMatch(/2048-bit RSA/);
    expect(tls('TLS_CLIENT_CERTIFICATE_UNUSABLE').explanation).toMatch(/cannot be used for TLS/);
  });
});
