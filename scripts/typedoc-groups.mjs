// typedoc plugin: groups every export of the API reference by concept ("Verification",
// "Signing", "Stores", "Errors", …) instead of by kind ("Functions", "Interfaces"). The group of
// an export follows from the source file that declares it (the first matching rule of its
// package below), written as a `@group` tag before typedoc groups the module. An export that no
// rule places is a warning (the docs build treats warnings as errors), and the plugin writes
// docs/api/groups.json, which scripts/check-api-docs.mjs reads to assert that every export of
// every module has a concept group.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Comment, CommentTag, Converter, ReflectionKind, RendererEvent } from 'typedoc';
import ts from 'typescript';

/** Per package folder: `[group, pattern]` rules over the path below `src/`, first match wins. */
export const GROUP_RULES = {
  breaker: [
    ['Errors', /^errors\//],
    ['Bulkhead', /^bulkhead/],
    ['Timeout', /^timeout/],
    ['Registry', /^breaker-registry/],
    ['Circuit breaker', /./],
  ],
  bullmq: [
    ['Dead-letter queue', /^dead-letter/],
    ['Failure classification', /^(job-error-classification|failure-reason|retry-hint)/],
    ['Observability', /^job-metrics/],
    ['Processor', /^(processor|processor-options|backoff-strategy|queue-like)\.ts$/],
  ],
  core: [
    ['Time', /^(clock|timers|delay)\.ts$/],
    ['Cancellation', /^(signals|never-aborted-signal)\.ts$/],
    ['Options', /^options\.ts$/],
    ['HTTP dates', /^(http-date|retry-after)\.ts$/],
    ['IP addresses', /^ip-address\.ts$/],
    ['Schema interop', /^zod3-nesting\.ts$/],
  ],
  delivery: [
    ['Errors', /^errors\//],
    ['Cloudflare Queues', /^cloudflare-queues/],
    ['Stores', /^(stores\/|store\.ts|sqlite\.ts|redis\.ts)/],
    ['Endpoints', /^endpoint/],
    ['Transport', /^(transport|undici-transport|egress-guard|internal\/ip)\.ts$/],
    ['Policies', /^(policies|default-policies|retry-schedule|default-signer)\.ts$/],
    ['Observability', /^(events|metrics)\.ts$/],
    [
      'Dispatcher',
      /^(dispatcher|worker|worker-config|worker-slots|attempt-runner|lease-keeper|options|retention)\.ts$/,
    ],
  ],
  email: [
    ['Errors', /^errors\//],
    ['Messages', /^(message|message-schema)\.ts$/],
    ['Providers', /^(providers\/|provider\.ts|simulated\.ts|email-provider-from-env\.ts|internal\/(adapter|http)\.ts)/],
    ['Failover', /^(failover|can-fail-over)\.ts$/],
    ['Webhooks', /^(webhooks\/|parse-email-webhook\.ts|webhook-secrets\.ts|ip-allowlist\.ts|events\.ts)/],
    ['Suppression', /^suppression\.ts$/],
    ['Observability', /^email-metrics\.ts$/],
  ],
  errors: [
    ['Error classes', /^(bulwark-error|base-errors|brand|define-errors|error-definition|error-registry)\.ts$/],
    ['Problem responses', /^(problem|problem-response|from-zod-error)\.ts$/],
    ['Redaction', /^redact\.ts$/],
    ['Observability', /^(prometheus|error-counter|error-log-fields)\.ts$/],
  ],
  health: [
    ['Shutdown', /^(graceful-shutdown|shutdown-options|server-drain)\.ts$/],
    ['Probes', /^health-handler\.ts$/],
    ['Checks', /^(health-check|breaker-check|run-check|check-slot)\.ts$/],
    ['Registry', /^(health-registry|health-report|health-options)\.ts$/],
  ],
  idempotency: [
    ['Errors', /^errors\//],
    ['Stores', /^(stores\/|redis\/|store\.ts|memory-store\.ts|sqlite\.ts|redis\.ts)/],
    ['Middleware', /^http\//],
    ['Keys', /^(idempotency-key|fingerprint|canonical-json)\.ts$/],
    ['Execution', /^(idempotency|execution|internal\/options)\.ts$/],
  ],
  ratelimit: [
    ['Errors', /^errors\//],
    ['Algorithms', /^algorithms\//],
    ['Stores', /^(redis\/|redis\.ts|memory-store\.ts|durable-object)/],
    ['Middleware', /^http\//],
    ['Keys', /^key\.ts$/],
    ['Rate limiter', /^(rate-limiter|policy|types)\.ts$/],
  ],
  retry: [
    ['Retry', /^(retry|retry-options|is-retryable)\.ts$/],
    ['Retry-After', /^retry-after\.ts$/],
    ['Retry budget', /^retry-budget\.ts$/],
    ['Jitter', /^jitter\.ts$/],
  ],
  slo: [
    ['Errors', /^errors\//],
    ['Recording', /^(recorder|recorder-options|sketch|quantile|parse-latencies)\.ts$/],
    ['Export', /^(slo-export|recorder-prometheus)\.ts$/],
    ['Burn rate', /^burn-rate\.ts$/],
    ['Recommendation', /^recommend\.ts$/],
  ],
  webhooks: [
    ['Errors', /^errors\//],
    ['Inbound providers', /^inbound/],
    ['Framework adapters', /^adapters\//],
    ['Replay stores', /^(replay-store|redis)\.ts$/],
    [
      'Verification',
      /^(webhook-verifier|verify|constant-time-equal|internal\/(body|headers|timestamp|crypto-engine))\.ts$/,
    ],
    ['Keys and secrets', /^(keyring|secret|ed25519|internal\/key-set)\.ts$/],
    ['Signing', /^(sign|signed-request|schemes)\.ts$/],
  ],
};

/** Typedoc's own kind groups: a module grouped only by these is grouped by kind. */
export const KIND_GROUPS = new Set(
  Object.values(ReflectionKind)
    .filter((kind) => typeof kind === 'number')
    .map((kind) => ReflectionKind.pluralString(kind)),
);

const SOURCE = /[\\/]packages[\\/]([^\\/]+)[\\/]src[\\/](.+)$/;

/** The concept group of a declaration in `packages/<folder>/src/<path>`, if a rule places it. */
export function groupOf(folder, path) {
  return GROUP_RULES[folder]?.find(([, pattern]) => pattern.test(path.replaceAll('\\', '/')))?.[0];
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const placed = {};
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    const parent = reflection.parent;
    if (reflection.kindOf(ReflectionKind.SomeModule)) return;
    if (!parent?.kindOf(ReflectionKind.SomeModule | ReflectionKind.Project)) return;
    let symbol = context.getSymbolFromReflection(reflection);
    // A re-export (`export { x } from './x.js'`) is placed by where `x` is declared.
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = context.checker.getAliasedSymbol(symbol);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName ?? '';
    const [, folder, path] = SOURCE.exec(file) ?? [];
    const group = folder ? groupOf(folder, path) : undefined;
    // A one-entry package's exports sit on its project, unnamed until the packages merge.
    const module =
      parent.kindOf(ReflectionKind.Project) && folder
        ? JSON.parse(readFileSync(join(file.slice(0, file.length - path.length - 4), 'package.json'), 'utf8')).name
        : parent.name;
    placed[module] ??= {};
    if (!group) {
      app.logger.warn(
        `${module}.${reflection.name} (${file}): no concept group; add a rule to scripts/typedoc-groups.mjs`,
      );
      placed[module][reflection.name] = null;
      return;
    }
    reflection.comment ??= new Comment();
    reflection.comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: group }]));
    placed[module][reflection.name] = group;
  });
  app.renderer.on(RendererEvent.END, (event) => {
    const target = join(event.outputDirectory, 'groups.json');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(placed, null, 2)}\n`);
  });
}
