import { err } from '@bulwark/errors';

const tooLarge = (maxBytes: number) =>
  err('payload_too_large', { detail: `Expected a body of at most ${maxBytes} bytes` });

/**
 * Reads a request body of at most `maxBytes` bytes. A declared `Content-Length` above the cap is
 * refused before reading; the body is then streamed with a byte count (the header is not trusted),
 * and reading stops, and the stream is cancelled, at the first chunk that crosses the cap, so no
 * more than `maxBytes` (plus that chunk) is ever held.
 *
 * @throws {payload_too_large} (413) when the body is, or says it is, larger than `maxBytes`.
 */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
