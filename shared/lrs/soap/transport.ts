/**
 * The HTTP exchange with the LRS, given to the `soap` package as its `httpClient`: soap still builds
 * the envelope, the SOAPAction and the headers; this sends them over the organisation's TLS agent and
 * reads the answer within limits, so that a broken or hostile server cannot hurt the function:
 *
 * - redirects are never followed (a 3xx is a configuration error naming the status: the envelope
 *   carries the organisation's password and the learner's data, and must go to the configured LRS only);
 * - only `https:` URLs are called;
 * - the body is read as a stream and refused beyond `maxResponseBytes` on the wire (a declared
 *   Content-Length over the limit is refused before reading) and beyond `maxDecompressedBytes` after
 *   gzip/deflate decoding (a decompression bomb stops at the limit, not at the end of the bomb);
 * - a charset other than UTF-8 is refused; the caller's deadline (AbortSignal) covers the whole
 *   exchange, so a slow drip or an endless body ends at the deadline;
 * - no regular expression ever runs over the body (soap's own response clean-up is not used).
 *
 * Failures before an answer carry whether the request had been fully written (`mayHaveReached`) and
 * whether a kept-alive socket was reused, so the client can resend safely on a stale socket.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { ConfigurationError, LrsRejectedError } from '../../domain/errors.js';
import { ANSWER_CODES } from '../contract/rejections.js';

export interface ResponseLimits {
  /** Largest body accepted as sent on the wire (bytes). */
  readonly maxResponseBytes: number;
  /** Largest body accepted after gzip/deflate decoding (bytes). */
  readonly maxDecompressedBytes: number;
}

/**
 * Default limits. A 1,000-event PLR answer is about 1.4 MB (R9 `LearningEvent`s of ~1.4 KB): 8 MiB
 * leaves more than five times that.
 */
export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = {
  maxResponseBytes: 8 * 1024 * 1024,
  maxDecompressedBytes: 8 * 1024 * 1024,
};

/** An HTTP answer as the client needs it. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly data: string;
}

/** A failure before a complete answer: the cause plus what is known about the request's fate. */
export class TransportFailure extends Error {
  constructor(
    override readonly cause: unknown,
    /** The request was fully written to the socket (the LRS may have received it). */
    readonly mayHaveReached: boolean,
    /** The request went out on a kept-alive socket that had served an earlier exchange. */
    readonly reusedSocket: boolean,
    /** An HTTP response head had arrived. */
    readonly answered: boolean,
    /**
     * A new TLS 1.3 connection was closed before any answer and before any session ticket arrived:
     * either a plain reset or a refusal of our client certificate (under TLS 1.3 a server checks it
     * after the handshake has completed on our side, and closes). The client tells the two apart with
     * a TLS 1.2 handshake (see TlsConnection.probeClientCertificate).
     */
    readonly closedAfterTls13Handshake = false,
  ) {
    super((cause as Error)?.message ?? 'transport failure');
  }
}

const rejectAnswer = (code: string, message: string): LrsRejectedError => new LrsRejectedError(code, message);

/** The `charset` parameter of a Content-Type, lower-cased ('' when absent). */
export const charsetOf = (contentType: string | undefined): string => {
  if (!contentType) return '';
  for (const part of contentType.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return part
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '')
      .toLowerCase();
  }
  return '';
};

const UTF8 = new Set(['', 'utf-8', 'utf8']);

type Callback = (error: unknown, res?: HttpAnswer, body?: string) => void;

/** soap's `httpClient`: one per organisation connection (its agent) and limits. */
export class LrsHttpClient {
  constructor(
    private readonly agent: https.Agent,
    private readonly limits: ResponseLimits = DEFAULT_RESPONSE_LIMITS,
  ) {}

  request(
    rurl: string,
    data: string,
    callback: Callback,
    exheaders?: Record<string, string>,
    exoptions?: { signal?: AbortSignal },
  ): Promise<never> {
    this.exchange(rurl, data, exheaders ?? {}, exoptions?.signal).then(
      (answer) => callback(null, answer, answer.data),
      (e: unknown) => callback(e),
    );
    // soap returns this to its caller; nothing here awaits it.
    return new Promise<never>(() => {});
  }

  private exchange(
    rurl: string,
    data: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(rurl);
      } catch {
        reject(new ConfigurationError('The LRS endpoint is not a valid URL'));
        return;
      }
      if (url.protocol !== 'https:') {
        reject(new ConfigurationError('The LRS endpoint must be an https: URL'));
        return;
      }
      const body = Buffer.from(data, 'utf8');
      let written = false;
      let answered = false;
      let protocol: string | null = null;
      let ticket = false;
      // A TLS socket takes writes before its handshake is done: the request counts as sent only once
      // it was written on a secured (or already secured, reused) connection.
      let secured = false;
      let settled = false;
      const done = (f: () => void): void => {
        if (settled) return;
        settled = true;
        f();
      };
      const fail = (req: ClientRequest, cause: unknown): void =>
        done(() => {
          if (cause instanceof LrsRejectedError || cause instanceof ConfigurationError) reject(cause);
          else {
            const code = (cause as { code?: string })?.code;
            const refused =
              !answered &&
              !req.reusedSocket &&
              protocol === 'TLSv1.3' &&
              !ticket &&
              (code === 'ECONNRESET' || code === 'EPIPE');
            reject(new TransportFailure(cause, written && secured, req.reusedSocket, answered, refused));
          }
          req.destroy();
        });
      const req = https.request(url, {
        method: 'POST',
        agent: this.agent,
        ...(signal ? { signal } : {}),
        headers: {
          'Content-Type': headers['Content-Type'] ?? 'text/xml; charset=utf-8',
          ...(headers.SOAPAction !== undefined ? { SOAPAction: headers.SOAPAction } : {}),
          Accept: 'text/xml',
          'Accept-Encoding': 'gzip, deflate',
          'Content-Length': String(body.length),
          'User-Agent': 'lrs-gateway',
        },
      });
      req.on('socket', (socket) => {
        if (req.reusedSocket) {
          secured = true;
          return;
        }
        const tls = socket as import('node:tls').TLSSocket;
        tls.once('secureConnect', () => {
          secured = true;
          protocol = tls.getProtocol();
        });
        tls.once('session', () => {
          ticket = true;
        });
      });
      req.on('finish', () => {
        written = true;
      });
      req.on('error', (e) => fail(req, e));
      req.on('response', (res) => {
        answered = true;
        this.read(res).then(
          (answer) => done(() => resolve(answer)),
          (e: unknown) => fail(req, e),
        );
      });
      req.end(body);
    });
  }

  private read(res: IncomingMessage): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        reject(
          new ConfigurationError(
            `The LRS endpoint answered HTTP ${status} (a redirect); redirects are never followed: check the configured LRS endpoint`,
          ),
        );
        return;
      }
      const { maxResponseBytes, maxDecompressedBytes } = this.limits;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxResponseBytes) {
        reject(
          rejectAnswer(
            ANSWER_CODES.tooLarge,
            `The LRS answer declares ${declared} bytes, more than the limit of ${maxResponseBytes}`,
          ),
        );
        return;
      }
      const charset = charsetOf(res.headers['content-type']);
      const encoding = String(res.headers['content-encoding'] ?? 'identity')
        .trim()
        .toLowerCase();
      let decoder: Gunzip | Inflate | undefined;
      if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
      else if (encoding === 'deflate') decoder = createInflate();
      else if (encoding !== 'identity' && encoding !== '') {
        reject(
          rejectAnswer(ANSWER_CODES.encoding, 'The LRS answer uses a content encoding we do not accept'),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let wire = 0;
      let decoded = 0;
      let failed = false;
      const stop = (e: Error): void => {
        if (failed) return;
        failed = true;
        decoder?.destroy();
        res.destroy();
        reject(e);
      };
      /** Stops reading an answer over one of the byte limits. */
      const refuse = (
        code: (typeof ANSWER_CODES)[keyof typeof ANSWER_CODES],
        over: string,
        limit: number,
      ): void => stop(rejectAnswer(code, `The LRS answer ${over} the limit of ${limit} bytes`));
      const keep = (chunk: Buffer): void => {
        if (failed) return;
        decoded += chunk.length;
        if (decoded > maxDecompressedBytes) {
          refuse(ANSWER_CODES.decompressedTooLarge, 'decompresses to more than', maxDecompressedBytes);
          return;
        }
        chunks.push(chunk);
      };
      const finish = (): void => {
        if (failed) return;
        const buffer = Buffer.concat(chunks);
        // A non-UTF-8 body is only refused when it matters: an HTTP error answer is judged by its status.
        if (!UTF8.has(charset) && status < 300) {
          stop(rejectAnswer(ANSWER_CODES.charset, 'The LRS answer declares a charset other than UTF-8'));
          return;
        }
        const text = UTF8.has(charset) ? new TextDecoder('utf-8').decode(buffer) : '';
        resolve({ status, headers: res.headers, data: text });
      };
      res.on('data', (chunk: Buffer) => {
        if (failed) return;
        wire += chunk.length;
        if (wire > maxResponseBytes) {
          refuse(ANSWER_CODES.tooLarge, 'is larger than', maxResponseBytes);
          return;
        }
        if (decoder) decoder.write(chunk);
        else keep(chunk);
      });
      res.on('error', (e) => stop(e));
      if (decoder) {
        decoder.on('data', keep);
        decoder.on('error', () =>
          stop(rejectAnswer(ANSWER_CODES.malformed, 'The LRS answer is not valid compressed data')),
        );
        decoder.on('end', finish);
        res.on('end', () => decoder?.end());
      } else {
        res.on('end', finish);
      }
    });
  }
}
