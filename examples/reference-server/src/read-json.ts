import { err } from '@bulwark/errors';

/** Reads a JSON body, turning a parse failure into `validation_failed` (the content type is checked earlier). */
export async function readJson(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  return c.req.json().catch(() => {
    throw err('validation_failed', { detail: 'Body must be JSON' });
  });
}
