import type { Idempotency } from '../idempotency.js';
import { utf8 } from '../internal/bytes.js';
import { createHttpGuard, type GuardOutcome, type HttpIdempotencyOptions, type HttpRequestInfo } from './guard.js';
import type { ResponseParts } from './stored-response.js';

/** The parts of Node's `IncomingMessage` (and Express's `Request`) the middleware reads. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** Express: the URL before router mounting stripped its prefix (preferred over `url`). */
  readonly originalUrl?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The parsed body (`express.json()`, Fastify), fingerprinted as canonical JSON; bytes or a string as they are. */
  readonly body?: unknown;
  /** The raw body, when a parser kept it (`verify` hook, `fastify-raw-body`): preferred for the fingerprint. */
  readonly rawBody?: unknown;
}

/** The parts of Node's `ServerResponse` (and Express's `Response`) the middleware uses. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  getHeaders(): Readonly<Record<string, string | number | readonly string[] | undefined>>;
  write(...args: never[]): boolean;
  end(...args: never[]): unknown;
  /** Headers passed here (not through `setHeader`) are captured too. */
  writeHead?: ((...args: never[]) => unknown) | undefined;
  once(event: 'close', listener: () => void): unknown;
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return utf8(value);
  return undefined;
}

function hasBody(req: NodeRequestLike): boolean {
  const length = req.headers['content-length'];
  return (typeof length === 'string' && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Adapts a Node request; the body comes from `rawBody` or `body`, set by a parser mounted before. @internal */
export function nodeRequestInfo(req: NodeRequestLike): HttpRequestInfo {
  return {
    method: req.method ?? 'GET',
    path: req.originalUrl ?? req.url ?? '/',
    header: (name) => req.headers[name],
    async body() {
      const raw = bytesOf(req.rawBody) ?? bytesOf(req.body);
      if (raw) return raw;
      if (req.body !== undefined) return { parsed: req.body };
      if (hasBody(req)) {
        throw new TypeError(
          'Idempotency middleware: the request has a body but no parsed `body` or `rawBody`; mount it after the body parser',
        );
      }
      return new Uint8Array(0);
    },
  };
}

/** Response headers as lower-case entries. @internal */
export function headerEntries(
  headers: Readonly<Record<string, string | number | readonly string[] | undefined>>,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out.push([name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return out;
}

/** Writes stored or problem parts to a Node response. @internal */
export function writeParts(res: NodeResponseLike, parts: ResponseParts): void {
  res.statusCode = parts.status;
  for (const [name, value] of parts.headers) res.setHeader(name, value);
  (res.end as (body: Uint8Array) => unknown)(parts.body);
}

/** The headers argument of `writeHead(status, [reason], [headers])` (an object or Node's flat array) as lower-case entries. */
function headArguments(args: readonly unknown[]): Array<[string, string]> {
  const last = args.at(-1);
  if (typeof last !== 'object' || last === null) return [];
  if (!Array.isArray(last)) return headerEntries(last as Record<string, string | number | readonly string[]>);
  // Node's raw form: [name, value, name, value, …].
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < last.length; i += 2) out.push([String(last[i]).toLowerCase(), String(last[i + 1])]);
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Records what the handler writes; when it ends the response, stores it (or releases the lock)
 * first and only then really ends it, so a retry that follows the response replays it. A
 * response closed without `end()` releases the lock.
 */
function capture(res: NodeResponseLike, outcome: Extract<GuardOutcome, { kind: 'execute' }>): void {
  const chunks: Uint8Array[] = [];
  const write = res.write as (...args: unknown[]) => boolean;
  const end = res.end as (...args: unknown[]) => unknown;
  const writeHead = res.writeHead as ((...args: unknown[]) => unknown) | undefined;
  let headHeaders: Array<[string, string]> = [];
  let settled = false;
  if (writeHead) {
    res.writeHead = ((...args: unknown[]) => {
      headHeaders = headHeaders.concat(headArguments(args));
      return writeHead.apply(res, args);
    }) as NodeResponseLike['writeHead'];
  }
  const collect = (chunk: unknown): void => {
    const bytes = bytesOf(chunk);
    if (bytes) chunks.push(bytes.slice());
  };
  res.write = ((...args: unknown[]) => {
    collect(args[0]);
    return write.apply(res, args);
  }) as NodeResponseLike['write'];
  res.end = ((...args: unknown[]) => {
    res.write = write as NodeResponseLike['write'];
    res.end = end as NodeResponseLike['end'];
    if (writeHead) res.writeHead = writeHead as NodeResponseLike['writeHead'];
    if (settled) return end.apply(res, args);
    settled = true;
    if (typeof args[0] !== 'function') collect(args[0]);
    // writeHead's headers win over setHeader's, as in Node.
    const headers = new Map([...headerEntries(res.getHeaders()), ...headHeaders]);
    const parts = { status: res.statusCode, headers: [...headers], body: concat(chunks) };
    void outcome.finish(parts).then(() => end.apply(res, args));
    return res;
  }) as NodeResponseLike['end'];
  res.once('close', () => {
    if (settled) return;
    settled = true;
    void outcome.finish(undefined);
  });
}

/**
 * Guards a Node `http` request (see `withIdempotency` for the semantics): resolves `true` when
 * the handler should run (its response is then captured and stored when it ends), `false` when
 * the guard already answered (a replay or a problem response).
 *
 * @example
 * ```ts
 * const guard = nodeIdempotency(createIdempotency());
 * http.createServer(async (req, res) => {
 *   if (!(await guard(req, res))) return;
 *   res.statusCode = 201;
 *   res.end('created');
 * });
 * ```
 */
export function nodeIdempotency<R extends NodeRequestLike>(
  idempotency: Idempotency,
  options: HttpIdempotencyOptions<R> = {},
): (req: R, res: NodeResponseLike) => Promise<boolean> {
  const guard = createHttpGuard(idempotency, options);
  return async (req, res) => {
    const outcome = await guard(nodeRequestInfo(req), req);
    if (outcome.kind === 'pass') return true;
    if (outcome.kind === 'respond') {
      writeParts(res, outcome.response);
      return false;
    }
    capture(res, outcome);
    return true;
  };
}

/**
 * Express (or Connect) middleware; mount it after the body parser (`express.json()`), whose
 * parsed body is fingerprinted as canonical JSON (or keep the raw bytes in `req.rawBody` with the
 * parser's `verify` hook for byte-exact fingerprints). A request with a body but neither is
 * passed to `next(error)`.
 *
 * @example
 * ```ts
 * app.post('/charges', express.json(), expressIdempotency(createIdempotency()), (req, res) => {
 *   res.status(201).json({ id: 'ch_1' });
 * });
 * ```
 */
export function expressIdempotency<R extends NodeRequestLike>(
  idempotency: Idempotency,
  options: HttpIdempotencyOptions<R> = {},
): (req: R, res: NodeResponseLike, next: (error?: unknown) => void) => void {
  const guard = nodeIdempotency(idempotency, options);
  return (req, res, next) => {
    guard(req, res).then((proceed) => proceed && next(), next);
  };
}
