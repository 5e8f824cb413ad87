import { describe, expect, it } from 'vitest';
import { z as z3 } from 'zod/v3';
import { type EndpointInput, type EndpointUpdate, endpointInputSchema, endpointUpdateSchema } from '../src/index.js';

// zod 3 (here zod's own `zod/v3`, the same code as zod 3.25) nesting our zod 4 schemas: it used
// to fail with `keyValidator._parse is not a function`.
describe('endpoint schemas nested in a zod 3 schema', () => {
  // zod 3's types do not know zod 4 schemas: the cast the README tells zod 3 hosts to write.
  const body = z3.object({
    endpoint: endpointInputSchema as unknown as z3.ZodType<EndpointInput>,
    changes: z3.optional(endpointUpdateSchema as unknown as z3.ZodType<EndpointUpdate>),
  });

  it('parses a valid endpoint', () => {
    const parsed = body.parse({ endpoint: { url: 'https://example.com/hooks', eventTypes: ['invoice.paid'] } });
    expect(parsed.endpoint).toEqual({ url: 'https://example.com/hooks', eventTypes: ['invoice.paid'] });
  });

  it('reports our issues under the host path, the zod 3 way', () => {
    const result = body.safeParse({ endpoint: { url: 'not a url', eventTypes: [] }, changes: { timeoutMs: 5 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['endpoint.url', 'Invalid URL'],
      ['endpoint.url', 'Expected a URL without whitespace or control characters'],
      ['endpoint.eventTypes', 'Too small: expected array to have >=1 items'],
      ['changes.timeoutMs', 'Too small: expected number to be >=100'],
    ]);
  });

  it('answers zod 3 async parsing (arrays call _parseAsync)', async () => {
    const schema = endpointInputSchema as unknown as z3.ZodType<EndpointInput>;
    const endpoint = { url: 'https://example.com/hooks' };
    expect(await z3.array(schema).parseAsync([endpoint])).toEqual([endpoint]);
  });
});
