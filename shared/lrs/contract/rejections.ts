/**
 * What an LRS refusal means: the codes of the LRS, of the SOAP stack and of our answer limits, and the
 * kind of rejection each one is (who can fix it). Pure tables: the SOAP adapter raises these codes,
 * the use cases and the HTTP edge read them.
 */

/** Codes that mean the organisation's credentials are wrong (reload the secret and try once more). */
export const CREDENTIAL_CODES: ReadonlySet<string> = new Set(['WSEC0003', 'WSEC0005']);

/**
 * Faults of the SOAP stack and the WCF dispatcher that mean our message does not fit the service's
 * contract. Never retryable: the same message gets the same fault.
 */
export const CONTRACT_FAULTS: Readonly<Record<string, { code: string; meaning: string }>> = {
  DeserializationFailed: {
    code: 'WCF_DESERIALIZATION_FAILED',
    meaning: 'an element does not match the schema of the service (WCF DeserializationFailed)',
  },
  ActionNotSupported: {
    code: 'WCF_ACTION_NOT_SUPPORTED',
    meaning: 'the SOAPAction is not one the service offers (WCF ActionNotSupported)',
  },
  ContractFilterMismatch: {
    code: 'WCF_ACTION_NOT_SUPPORTED',
    meaning: 'the message does not match an operation of the service (WCF ContractFilterMismatch)',
  },
  MustUnderstand: {
    code: 'SOAP_MUST_UNDERSTAND',
    meaning: 'a mustUnderstand header is not understood by the service',
  },
  VersionMismatch: { code: 'SOAP_VERSION_MISMATCH', meaning: "the SOAP version is not the service's" },
};

/**
 * What an `LrsRejectedError` code means for the caller:
 * - `request`: the LRS refused the caller's data (WSEC0001, WSEC0136, a DomainFault…): the caller can fix it;
 * - `access`: the LRS does not let the organisation use this operation (WSEC0006);
 * - `setup`: the gateway's credentials or certificates for the organisation (WSEC0002/3/5, TLS_*, HTTP 401/403);
 * - `contract`: our message does not fit the service's contract (WCF dispatcher and SOAP faults);
 * - `answer`: the LRS's answer broke a limit or could not be read (size, decompressed size, parse time, charset).
 * Only `request` is something the caller can correct; none of them is retryable.
 */
export type RejectionKind = 'request' | 'access' | 'setup' | 'contract' | 'answer';

const ACCESS_CODES: ReadonlySet<string> = new Set(['WSEC0006']);
const SETUP_CODES: ReadonlySet<string> = new Set([
  'WSEC0002',
  'WSEC0003',
  'WSEC0005',
  'HTTP_401',
  'HTTP_403',
]);
const CONTRACT_CODES: ReadonlySet<string> = new Set([
  ...new Set(Object.values(CONTRACT_FAULTS).map((c) => c.code)),
  'SOAP_CLIENT_FAULT',
  'UNKNOWN_OPERATION',
]);

/** Codes of an answer refused by the client's limits (raised by the SOAP transport). */
export const ANSWER_CODES = {
  tooLarge: 'RESPONSE_TOO_LARGE',
  decompressedTooLarge: 'RESPONSE_DECOMPRESSED_TOO_LARGE',
  parseTime: 'RESPONSE_PARSE_TIME_EXCEEDED',
  charset: 'RESPONSE_CHARSET_UNSUPPORTED',
  encoding: 'RESPONSE_ENCODING_UNSUPPORTED',
  malformed: 'RESPONSE_MALFORMED',
} as const;
const ANSWER_CODE_SET: ReadonlySet<string> = new Set(Object.values(ANSWER_CODES));

export const rejectionKind = (lrsCode: string): RejectionKind => {
  if (ACCESS_CODES.has(lrsCode)) return 'access';
  if (SETUP_CODES.has(lrsCode) || lrsCode.startsWith('TLS_')) return 'setup';
  if (CONTRACT_CODES.has(lrsCode)) return 'contract';
  if (ANSWER_CODE_SET.has(lrsCode)) return 'answer';
  return 'request';
};
