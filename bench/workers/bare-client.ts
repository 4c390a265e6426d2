/**
 * The baseline: a plain `soap` Client on our WSDL with keep-alive mutual TLS (ClientSSLSecurity with
 * `forever`), sending a ready-made SOAP Body, with soap's own response parsing left on. No validation, no
 * store, no retries: what any Node client of the LRS pays at least.
 */
import { readFileSync } from 'node:fs';
import * as soap from 'soap';
import { type LrsServiceName, SERVICES } from '../../shared/lrs/contract/operations.js';
import { wsdlFor } from '../../shared/lrs/contract/wsdl.js';
import type { LrsTarget } from './protocol.js';

export type BareCall = (soapBody: string) => Promise<string>;

const serviceOfPath = (path: string): LrsServiceName => {
  const found = (Object.keys(SERVICES) as LrsServiceName[]).find((s) => SERVICES[s].path === path);
  if (!found) throw new Error(`no LRS service at ${path}`);
  return found;
};

export const createBareClient = async (
  lrs: LrsTarget,
  servicePath: string,
  method: string,
): Promise<BareCall> => {
  const service = serviceOfPath(servicePath);
  const wsdl = await new Promise<soap.WSDL>((resolve, reject) => {
    const w = new soap.WSDL(wsdlFor(service), `inline://bench/${service}.wsdl`, {});
    w.onReady((err: unknown) => (err ? reject(err) : resolve(w)));
  });
  const client = new soap.Client(wsdl, `${lrs.url}${servicePath}`);
  client.setSecurity(
    new soap.ClientSSLSecurity(
      readFileSync(lrs.keyFile),
      readFileSync(lrs.certFile),
      readFileSync(lrs.caFile),
      {
        forever: true,
      },
    ),
  );
  const fn = (client as unknown as Record<string, (args: unknown) => Promise<[unknown, string]>>)[
    `${method}Async`
  ];
  if (typeof fn !== 'function') throw new Error(`the WSDL has no operation ${method}`);
  return async (soapBody) => {
    const [, raw] = await fn.call(client, { _xml: soapBody });
    return raw;
  };
};
