import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { bundleWorker, COMPATIBILITY_DATE, startMiniflare } from '@bulwark/testing/workerd';
import type { Miniflare } from 'miniflare';
import { bundleReferenceWorker, type WorkerBundle } from './bundle.js';

/** Settings of the reference Worker under test (secrets as `wrangler secret put` would set them). */
export interface WorkerSettings {
  readonly ADMIN_JWT_SECRET: string;
  readonly ADMIN_JWT_ISSUER: string;
  readonly ADMIN_JWT_AUDIENCE: string;
  readonly INBOUND_WEBHOOK_SECRET: string;
  readonly SECRETS_KEY: string;
  readonly UPSTREAM_URL: string;
  readonly RATE_LIMIT_PER_MINUTE: string;
  readonly RATE_LIMIT_DEADLINE_MS: string;
  readonly RETRY_SCHEDULE_MS: string;
  readonly EGRESS_ALLOW: string;
  readonly EGRESS_ALLOW_HTTP: string;
}

/** A delivery attempt as the reference Worker logs it (`onAttempt` of the Queues consumer). */
export interface AttemptLog {
  readonly messageId: string | undefined;
  readonly endpointId: string | undefined;
  readonly attempt: number;
  readonly outcome: string;
  readonly error: string | null;
  readonly delaySeconds?: number;
}

/** Collects the Worker's `delivery_attempt` log lines from workerd's stdout; passes everything else through. */
function collectAttempts(attempts: AttemptLog[]) {
  return (stdout: Readable, stderr: Readable): void => {
    stderr.pipe(process.stderr);
    createInterface({ input: stdout }).on('line', (line) => {
      const at = line.indexOf('{"msg":"delivery_attempt"');
      if (at === -1) {
        process.stdout.write(`${line}\n`);
        return;
      }
      const { msg: _, ...attempt } = JSON.parse(line.slice(at)) as AttemptLog & { msg: string };
      attempts.push(attempt);
    });
  };
}

/**
 * Starts real workerd (miniflare) with the bundled reference Worker as wrangler.toml declares it
 * (D1, the rate-limit Durable Object, the delivery queue and its dead-letter queue), a second
 * instance (`replica`, its own isolate) sharing D1 and the Durable Object, two copies whose
 * RATE_LIMITER binding points at objects that throw or stall, and the harness Worker. Applies
 * migrations/ to D1 in order. `attempts` fills with the Worker's delivery attempt logs as they happen.
 */
export async function startWorkerd(
  root: string,
  settings: WorkerSettings,
): Promise<{ mf: Miniflare; bundle: WorkerBundle; attempts: AttemptLog[] }> {
  const attempts: AttemptLog[] = [];
  const bundle = await bundleReferenceWorker();
  const harness = await bundleWorker(join(root, 'test/support/harness-worker.ts'));
  const shared = {
    modules: true,
    script: bundle.code,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...settings },
    d1Databases: { DB: 'bulwark-worker' },
    queueProducers: { DELIVERIES: { queueName: 'deliveries' }, DELIVERIES_DLQ: { queueName: 'deliveries-dlq' } },
  };
  const mf = await startMiniflare({
    handleRuntimeStdio: collectAttempts(attempts),
    workers: [
      {
        ...shared,
        name: 'worker',
        durableObjects: { RATE_LIMITER: 'RateLimitDurableObject' },
        queueConsumers: {
          deliveries: { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10, deadLetterQueue: 'deliveries-dlq' },
          'deliveries-dlq': { maxBatchSize: 10, maxBatchTimeout: 0 },
        },
      },
      {
        ...shared,
        name: 'replica',
        durableObjects: { RATE_LIMITER: { className: 'RateLimitDurableObject', scriptName: 'worker' } },
      },
      {
        ...shared,
        name: 'throwing',
        durableObjects: { RATE_LIMITER: { className: 'ThrowingLimiter', scriptName: 'harness' } },
      },
      {
        ...shared,
        name: 'stalling',
        durableObjects: { RATE_LIMITER: { className: 'StallingLimiter', scriptName: 'harness' } },
      },
      {
        name: 'harness',
        modules: true,
        script: harness.code,
        compatibilityDate: COMPATIBILITY_DATE,
        durableObjects: { THROWING: 'ThrowingLimiter', STALLING: 'StallingLimiter' },
      },
    ],
  });
  const db = await mf.getD1Database('DB', 'worker');
  for (const file of readdirSync(join(root, 'migrations')).sort()) {
    const migration = readFileSync(join(root, 'migrations', file), 'utf8').replace(/--.*$/gm, '');
    for (const statement of migration
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)) {
      await db.prepare(statement).run();
    }
  }
  return { mf, bundle, attempts };
}
