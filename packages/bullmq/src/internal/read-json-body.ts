import { err } from '@bulwark/errors';

/**
 * Reads a request body of at most `maxBytes` and parses it as JSON; an empty body is `{}`.
 * @throws {payload_too_large} past `maxBytes` (declared or streamed)
 * @throws {validation_failed} when the body is not UTF-8 JSON
 * @internal
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw err('payload_too_large', { detail: `The body exceeds ${maxBytes} bytes` });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw err('payload_too_large', { detail: `The body exceeds ${maxBytes} bytes` });
      }
      chunks.push(value);
    }
  }
  if (size === 0) return {};
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw err('validation_failed', { detail: 'The body is not valid UTF-8 JSON' });
  }
}
