// The runbook's alert rules, evaluated by Prometheus's own rule engine (promtool test rules) over
// synthetic series: the rules a reader copies from docs/runbooks/bullmq-dlq.md are the ones run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPromtool } from '@bulwark/testing/promtool';
import { afterAll, describe, expect, it } from 'vitest';

const runbook = fileURLToPath(new URL('../../../docs/runbooks/bullmq-dlq.md', import.meta.url));
const promtool = findPromtool();
if (promtool === undefined) {
  throw new Error('promtool is required: `pnpm test` unpacks it (scripts/provision.mjs), or set PROMTOOL_PATH');
}
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bullmq-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The runbook's ```yaml block, as a Prometheus rule group. */
function rulesFile(): string {
  const block = /```yaml\n([\s\S]*?)```/.exec(readFileSync(runbook, 'utf8'))?.[1];
  if (block === undefined) throw new Error('docs/runbooks/bullmq-dlq.md has no ```yaml block of alert rules');
  const rules = block
    .split('\n')
    .map((line) => (line === '' ? line : `      ${line}`))
    .join('\n');
  const path = join(dir, 'rules.yml');
  writeFileSync(path, `groups:\n  - name: bullmq-dlq\n    rules:\n${rules}`);
  return path;
}

/** Runs one promtool unit test; resolves its output, rejects with it when an expectation fails. */
function promtoolTest(name: string, body: string): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, `rule_files: [${JSON.stringify(rulesFile())}]\nevaluation_interval: 1m\ntests:\n${body}`);
  try {
    return execFileSync(promtool as string, ['test', 'rules', path], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool test rules failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

const RUNBOOK = 'docs/runbooks/bullmq-dlq.md';
/** Two workers (scrape targets) report the same DLQ: the exporter's labels are the queue and the metric name. */
const dlqSize = (queue: string, instance: string, values: string) =>
  `      - series: 'bulwark_gauge{name="bullmq.dlq.size",queue="${queue}",instance="${instance}",job="worker"}'\n        values: '${values}'\n`;

describe('the BullMQ DLQ runbook alerts (promtool)', () => {
  it('parses as Prometheus rules', () => {
    expect(execFileSync(promtool, ['check', 'rules', rulesFile()], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('fires BullmqDeadLetterQueueGrowing once per queue whose DLQ grows, seen by two workers, pending for its first 5 minutes, and not for a steady one', () => {
    const output = promtoolTest(
      'growing',
      `  - interval: 1m
    input_series:
${dlqSize('invoices', 'w1:9000', '0+2x40')}${dlqSize('invoices', 'w2:9000', '0+2x40')}${dlqSize('emails', 'w1:9000', '50x40')}
    alert_rule_test:
      - eval_time: 4m
        alertname: BullmqDeadLetterQueueGrowing
        exp_alerts: []
      - eval_time: 30m
        alertname: BullmqDeadLetterQueueGrowing
        exp_alerts:
          - exp_labels: { queue: invoices }
            exp_annotations: { runbook: ${RUNBOOK} }
`,
    );
    expect(output).toContain('SUCCESS');
  });

  it('fires BullmqRecurringFailure per queue and code when one code keeps failing jobs', () => {
    const output = promtoolTest(
      'recurring',
      `  - interval: 1m
    input_series:
      - series: 'bulwark_counter{name="bullmq.job.failed",queue="invoices",code="validation_failed",instance="w1:9000",job="worker"}'
        values: '0+3x30'
      - series: 'bulwark_counter{name="bullmq.job.failed",queue="invoices",code="not_found",instance="w1:9000",job="worker"}'
        values: '0+1x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: BullmqRecurringFailure
        exp_alerts:
          - exp_labels: { queue: invoices, code: validation_failed }
            exp_annotations: { runbook: ${RUNBOOK} }
`,
    );
    expect(output).toContain('SUCCESS');
  });
});
