import type { JobMetrics } from '../job-metrics.js';

/** Wraps a metrics sink so a hook that throws cannot change an outcome. @internal */
export function safeMetrics(metrics: JobMetrics): JobMetrics {
  return {
    increment(name, labels) {
      try {
        metrics.increment(name, labels);
      } catch {
        // A broken metrics hook must never fail a job or an admin call.
      }
    },
    observe(name, value, labels) {
      try {
        metrics.observe(name, value, labels);
      } catch {
        // See increment.
      }
    },
    gauge(name, value, labels) {
      try {
        metrics.gauge(name, value, labels);
      } catch {
        // See increment.
      }
    },
  };
}
