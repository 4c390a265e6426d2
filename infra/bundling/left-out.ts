/**
 * Stand-ins for the npm modules the `soap` package requires at load time but only uses for features
 * lrs-gateway never turns on (WS-Security signing, NTLM, MTOM attachments, its own axios HTTP client: the
 * adapter hands soap its own `httpClient`). FUNCTION_BUNDLING aliases each module to its stand-in in
 * `left-out/`, so the bundle neither carries nor evaluates it.
 *
 * Loading a stand-in is harmless (soap requires these modules at the top of its files); calling or
 * constructing anything it exports emits a process warning (code LRS_GATEWAY_LEFT_OUT, so the log shows
 * it even where soap swallows the error) and throws, naming the module and the feature it serves.
 */

export const LEFT_OUT_WARNING_CODE = 'LRS_GATEWAY_LEFT_OUT';

/** A left-out module: what it would serve in soap (for the error message). */
export const LEFT_OUT_MODULES = {
  axios: "soap's default HTTP client (the adapter passes its own httpClient)",
  'axios-ntlm': "soap's NTLM security",
  'xml-crypto': "soap's WS-Security signing (WSSecurityCert)",
  formidable: "soap's MTOM attachment parsing",
  'whatwg-mimetype': "soap's MTOM attachment parsing",
} as const;

export type LeftOutModule = keyof typeof LEFT_OUT_MODULES;

export class LeftOutModuleError extends Error {
  readonly code = LEFT_OUT_WARNING_CODE;
  constructor(
    readonly module: LeftOutModule,
    readonly member: string,
  ) {
    super(
      `${module}.${member} is not in this bundle: it serves ${LEFT_OUT_MODULES[module]}, which lrs-gateway ` +
        'does not use (see FUNCTION_BUNDLING in infra/constructs/gateway-function.ts)',
    );
    this.name = 'LeftOutModuleError';
  }
}

/** An export of a left-out module: a function (also usable with `new`) that warns and throws. */
export const leftOut = (module: LeftOutModule, member: string): ((...args: unknown[]) => never) =>
  // A function expression, not an arrow: soap constructs some of these (`new SignedXml()`).
  function leftOutMember(): never {
    const error = new LeftOutModuleError(module, member);
    process.emitWarning(error.message, { code: LEFT_OUT_WARNING_CODE });
    throw error;
  };
