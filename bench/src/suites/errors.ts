import { BulwarkError, createErrorCounter, err, toProblem } from '@bulwark/errors';
import { WebhookVerificationError } from '@bulwark/webhooks';
import { perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSuite } from '../suite.js';

const counter = createErrorCounter();
const ROUNDS = 3;
/** Errors per measured op: amortises the harness's per-op cost over many constructions. */
const PER_OP = 50;
const errorConstructor = Error as { stackTraceLimit?: number | undefined };

/** Holds the last error so construction cannot be optimised away. */
const sink: unknown[] = [undefined];
function stackless(make: () => unknown): () => void {
  return () => {
    const limit = errorConstructor.stackTraceLimit;
    errorConstructor.stackTraceLimit = 0;
    for (let i = 0; i < PER_OP; i++) sink[0] = make();
    errorConstructor.stackTraceLimit = limit;
  };
}
function traced(make: () => unknown): () => void {
  return () => {
    for (let i = 0; i < PER_OP; i++) sink[0] = make();
  };
}

function cases(round: number): BenchCase[] {
  return [
    {
      name: roundName('create', round, ROUNDS),
      subjects: [
        { name: 'new Error (floor)', floor: true, fn: traced(() => new Error('no ep_1')) },
        { name: "@bulwark/errors err('not_found')", fn: traced(() => err('not_found', { detail: 'no ep_1' })) },
      ],
    },
    {
      name: roundName('create, stackless', round, ROUNDS),
      subjects: [
        { name: 'new Error (floor)', floor: true, fn: stackless(() => new Error('no ep_1')) },
        {
          name: '@bulwark/errors new BulwarkError',
          fn: stackless(() => new BulwarkError({ code: 'x', status: 401, title: 'X', detail: 'no ep_1' })),
        },
        {
          name: '@bulwark/webhooks WebhookVerificationError (3 levels)',
          fn: stackless(() => new WebhookVerificationError('webhook_signature_mismatch', { detail: 'no ep_1' })),
        },
        {
          // No trace at all (V8 skips capture for a non-number limit); the global limit stays on.
          name: '@bulwark/errors new BulwarkError, captureStack: false',
          fn: traced(
            () => new BulwarkError({ code: 'x', status: 401, title: 'X', detail: 'no ep_1', captureStack: false }),
          ),
        },
        {
          name: '@bulwark/webhooks WebhookVerificationError, captureStack: false',
          fn: traced(
            () =>
              new WebhookVerificationError('webhook_signature_mismatch', { detail: 'no ep_1', captureStack: false }),
          ),
        },
      ],
    },
  ];
}

function summary(results: readonly BenchResult[]): string[] {
  const cost = (name: string, subject: string) =>
    spread(perRound(results, name, (ops) => ops('new Error') / ops(subject)));
  return [
    `cost relative to new Error (floor ops ÷ ours within each round; ${ROUNDS} interleaved rounds; ${PER_OP} errors per op):`,
    `  create (stack traces on)   err('not_found')          ${cost('create', "@bulwark/errors err('not_found')")}`,
    `  create, stackless          new BulwarkError          ${cost('create, stackless', '@bulwark/errors new BulwarkError')}`,
    `  create, stackless          WebhookVerificationError  ${cost('create, stackless', '@bulwark/webhooks WebhookVerificationError (3')}`,
    `  create, captureStack:false new BulwarkError          ${cost('create, stackless', '@bulwark/errors new BulwarkError, captureStack')}`,
    `  create, captureStack:false WebhookVerificationError  ${cost('create, stackless', '@bulwark/webhooks WebhookVerificationError, captureStack')}`,
  ];
}

/** Cost of raising and rendering a typed error, against constructing a bare `Error`. */
export const suite: BenchSuite = {
  name: 'errors',
  description:
    'err() / new BulwarkError / WebhookVerificationError (3 levels) versus new Error (the floor), with and without stack traces; err() + toProblem() + counter.record()',
  cases: () => [
    ...Array.from({ length: ROUNDS }, (_, r) => cases(r + 1)).flat(),
    {
      name: 'create + render + count',
      subjects: [
        {
          name: 'new Error + JSON.stringify (floor)',
          floor: true,
          fn: () => JSON.stringify({ message: new Error('x').message }),
        },
        {
          name: '@bulwark/errors',
          fn: () => {
            const e = err('not_found', { detail: 'no ep_1' });
            counter.record(e);
            return JSON.stringify(toProblem(e));
          },
        },
      ],
    },
  ],
  summary,
  dispose: () => {
    sink[0] = undefined;
  },
};
