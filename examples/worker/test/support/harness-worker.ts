// The test harness Worker that runs beside the reference Worker in the same workerd: Durable
// Object classes that throw or stall (bound as RATE_LIMITER by the fault-injection copies of the
// reference Worker), and the delivery signer the consumer uses, run over the test vectors.
import { createStandardSigner } from '@bulwark/delivery/cloudflare-queues';

/** A rate-limit object whose every request throws. */
export class ThrowingLimiter {
  async fetch(): Promise<Response> {
    throw new Error('object crashed');
  }
}

/** A rate-limit object that answers only after 30 s. */
export class StallingLimiter {
  async fetch(): Promise<Response> {
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    return new Response('{"outcomes":[]}');
  }
}

interface VectorInput {
  readonly id: string;
  readonly timestamp: number;
  readonly body: string;
  readonly secret: string;
}

const sign = createStandardSigner();

// biome-ignore lint/style/noDefaultExport: workerd runs a module Worker's default export.
export default {
  async fetch(request: Request): Promise<Response> {
    const inputs = (await request.json()) as VectorInput[];
    const signatures: string[] = [];
    for (const v of inputs) {
      const headers = await sign({
        id: v.id,
        timestamp: v.timestamp,
        body: v.body,
        secrets: [{ secret: v.secret, expiresAt: null }],
        now: v.timestamp * 1000,
      });
      signatures.push(headers['webhook-signature'] as string);
    }
    return Response.json(signatures);
  },
};
