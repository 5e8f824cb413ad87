import { assertNumberOption } from '@bulwark/core';

/** One rule of a multi-window, multi-burn-rate policy. */
export interface BurnRateRule {
  /** `page` wakes someone up; `ticket` can wait for working hours. */
  readonly severity: 'page' | 'ticket';
  /** Burn-rate factor: 1 spends exactly the budget over the SLO period. */
  readonly burnRate: number;
  /** Long window in ms. */
  readonly longWindowMs: number;
  /** Short window in ms. Default: `longWindowMs / 12`. */
  readonly shortWindowMs?: number | undefined;
}

/** A {@link BurnRateRule} with its short window filled in. */
export interface ResolvedBurnRateRule extends BurnRateRule {
  readonly shortWindowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The Google SRE Workbook policy (chapter 5, "Alerting on SLOs"): page at 14.4× over 1 h and
 * 5 min, page at 6× over 6 h and 30 min, ticket at 1× over 3 days and 6 h.
 *
 * @example
 * ```ts
 * createSloRecorder({ burnRateRules: DEFAULT_BURN_RATE_RULES.slice(0, 2) }); // pages only
 * ```
 */
export const DEFAULT_BURN_RATE_RULES: readonly BurnRateRule[] = Object.freeze([
  Object.freeze({ severity: 'page', burnRate: 14.4, longWindowMs: HOUR, shortWindowMs: 5 * MINUTE }),
  Object.freeze({ severity: 'page', burnRate: 6, longWindowMs: 6 * HOUR, shortWindowMs: 30 * MINUTE }),
  Object.freeze({ severity: 'ticket', burnRate: 1, longWindowMs: 3 * DAY, shortWindowMs: 6 * HOUR }),
] as const);

/** The default SLO period: 30 days. */
export const DEFAULT_SLO_PERIOD_MS = 30 * DAY;

/** Good/bad tallies of one window. */
export interface WindowBurn {
  /** Window length in ms. */
  readonly windowMs: number;
  /** Requests in the window. */
  readonly total: number;
  /** Bad requests (errors, or slower than the threshold) in the window. */
  readonly bad: number;
  /** `(bad / total) / (1 − target)`; 0 when there is no traffic. */
  readonly burnRate: number;
}

/** One evaluated rule. */
export interface BurnRateAlert {
  /** The rule's severity. */
  readonly severity: 'page' | 'ticket';
  /** The rule's burn-rate factor. */
  readonly burnRate: number;
  /** The long window's tallies and burn rate. */
  readonly long: WindowBurn;
  /** The short window's tallies and burn rate. */
  readonly short: WindowBurn;
  /**
   * Both windows hold at least `minEvents` requests and burn at least `burnRate`; once firing,
   * the rule keeps firing until a window falls below `burnRate × resolveFactor` (hysteresis).
   */
  readonly firing: boolean;
}

/** Options of {@link evaluateBurnRate}: the alert's noise controls. */
export interface BurnRateEvaluationOptions {
  /**
   * Requests each window must hold before a rule can start firing (the SRE Workbook's remedy
   * for low traffic: one failed request out of one is not an incident). Default: `10`.
   */
  readonly minEvents?: number | undefined;
  /**
   * A firing rule resolves only when a window burns below `burnRate × resolveFactor`, in
   * (0, 1]. Default: `0.8`.
   */
  readonly resolveFactor?: number | undefined;
  /** Which rules fired at the previous evaluation, in rule order (for the hysteresis). */
  readonly previous?: readonly boolean[] | undefined;
}

/** Default of {@link BurnRateEvaluationOptions.minEvents}. */
export const DEFAULT_BURN_RATE_MIN_EVENTS = 10;
/** Default of {@link BurnRateEvaluationOptions.resolveFactor} and the recorder's breach hysteresis. */
export const DEFAULT_RESOLVE_FACTOR = 0.8;

/** The error budget over the SLO period. */
export interface ErrorBudget {
  /** The SLO period in ms. */
  readonly periodMs: number;
  /** Requests in the period. */
  readonly total: number;
  /** Bad requests in the period. */
  readonly bad: number;
  /** Bad requests the budget allows for the traffic seen: `(1 − target) × total`. */
  readonly allowedBad: number;
  /** `1 − bad / allowedBad`: 1 = untouched, 0 = spent, negative = overspent. 1 without traffic. */
  readonly remaining: number;
}

/** What {@link evaluateBurnRate} returns. */
export interface BurnRateReport {
  /** The SLO target, e.g. 0.999. */
  readonly target: number;
  /** One entry per rule, in rule order. */
  readonly alerts: readonly BurnRateAlert[];
  /** The most severe firing rule's severity, or `none`. */
  readonly severity: 'page' | 'ticket' | 'none';
  /** The error budget over the SLO period. */
  readonly budget: ErrorBudget;
}

/** Validates rules once; fills in the default short window (1/12 of the long one). */
export function normalizeRules(rules: readonly BurnRateRule[]): readonly ResolvedBurnRateRule[] {
  return Object.freeze(
    rules.map((rule, i) => {
      if (rule.severity !== 'page' && rule.severity !== 'ticket') {
        throw new TypeError(`Expected \`burnRateRules[${i}].severity\` to be 'page' or 'ticket'`);
      }
      assertNumberOption(`burnRateRules[${i}].burnRate`, rule.burnRate, { min: 0, minExclusive: true });
      assertNumberOption(`burnRateRules[${i}].longWindowMs`, rule.longWindowMs, { min: 1 });
      const shortWindowMs = rule.shortWindowMs ?? rule.longWindowMs / 12;
      assertNumberOption(`burnRateRules[${i}].shortWindowMs`, shortWindowMs, { min: 1, max: rule.longWindowMs });
      return Object.freeze({ ...rule, shortWindowMs });
    }),
  );
}

/**
 * Evaluates a multi-window, multi-burn-rate policy from window tallies: a rule fires when both
 * its long and short windows hold at least `minEvents` requests and burn the error budget at
 * least `burnRate` times faster than sustainable; a rule that was firing (`previous`) keeps
 * firing until a window drops below `burnRate × resolveFactor`. Also reports the remaining
 * error budget.
 *
 * @param target - The SLO target, e.g. `0.999` (99.9% good).
 * @param rules - The policy (validated with {@link normalizeRules}).
 * @param tally - Returns `{ total, bad }` for the window ending now of the given length.
 * @param periodMs - The SLO period for the budget.
 * @param options - `minEvents`, `resolveFactor`, `previous`.
 * @throws {RangeError} / {TypeError} when `minEvents` or `resolveFactor` is invalid.
 * @example
 * ```ts
 * evaluateBurnRate(0.999, normalizeRules(DEFAULT_BURN_RATE_RULES), (ms) => counts(ms), DEFAULT_SLO_PERIOD_MS);
 * ```
 */
export function evaluateBurnRate(
  target: number,
  rules: readonly ResolvedBurnRateRule[],
  tally: (windowMs: number) => { total: number; bad: number },
  periodMs: number,
  options: BurnRateEvaluationOptions = {},
): BurnRateReport {
  const minEvents = options.minEvents ?? DEFAULT_BURN_RATE_MIN_EVENTS;
  assertNumberOption('minEvents', minEvents, { min: 0, integer: true });
  const resolveFactor = options.resolveFactor ?? DEFAULT_RESOLVE_FACTOR;
  assertNumberOption('resolveFactor', resolveFactor, { min: 0, minExclusive: true, max: 1 });
  const allowed = 1 - target;
  const burn = (windowMs: number): WindowBurn => {
    const { total, bad } = tally(windowMs);
    return Object.freeze({ windowMs, total, bad, burnRate: total === 0 ? 0 : bad / total / allowed });
  };
  const alerts = rules.map((rule, i) => {
    const long = burn(rule.longWindowMs);
    const short = burn(rule.shortWindowMs);
    const level = options.previous?.[i] === true ? rule.burnRate * resolveFactor : rule.burnRate;
    const enough = options.previous?.[i] === true || (long.total >= minEvents && short.total >= minEvents);
    const firing = enough && long.total > 0 && long.burnRate >= level && short.burnRate >= level;
    return Object.freeze({ severity: rule.severity, burnRate: rule.burnRate, long, short, firing });
  });
  const period = tally(periodMs);
  const allowedBad = allowed * period.total;
  const remaining = period.total === 0 ? 1 : 1 - period.bad / allowedBad;
  const firing = alerts.filter((a) => a.firing);
  const severity = firing.some((a) => a.severity === 'page') ? 'page' : firing.length > 0 ? 'ticket' : 'none';
  return Object.freeze({
    target,
    alerts: Object.freeze(alerts),
    severity,
    budget: Object.freeze({ periodMs, total: period.total, bad: period.bad, allowedBad, remaining }),
  });
}
