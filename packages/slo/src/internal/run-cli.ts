import { parseLatencies } from '../parse-latencies.js';
import { recommendThreshold } from '../recommend.js';
import { restoreSketch } from '../sketch.js';

/** What the CLI needs from its host; `cli.ts` wires it to `node:fs` and `process`. */
export interface CliIo {
  readFile(path: string): Promise<string>;
  stdout(line: string): void;
  stderr(line: string): void;
}

export const USAGE = `Usage: bulwark-slo recommend FILE [--breach-target 0.05] [--budget-share 0.5] [--quantile Q] [--headroom 0] [--min-samples 100] [--threshold MS] [--json]

The default quantile is 1 - breach-target x budget-share (p97.5): the threshold breaches at
most half the breach target on the data it came from.

FILE holds latencies in ms: one number a line, a CSV with a duration_ms column, or a
@bulwark/slo JSON export. Use - for stdin.
Exit codes: 0 ok, 1 bad input lines, 2 usage error, 3 insufficient data.`;

interface Flags {
  breachTarget?: number;
  budgetShare?: number;
  quantile?: number;
  headroom?: number;
  minSamples?: number;
  threshold?: number;
  json: boolean;
}

function parseFlags(args: string[]): { file: string; flags: Flags } | string {
  const flags: Flags = { json: false };
  let file: string | undefined;
  const names: Record<string, 'breachTarget' | 'budgetShare' | 'quantile' | 'headroom' | 'minSamples' | 'threshold'> = {
    '--breach-target': 'breachTarget',
    '--budget-share': 'budgetShare',
    '--quantile': 'quantile',
    '--headroom': 'headroom',
    '--min-samples': 'minSamples',
    '--threshold': 'threshold',
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') flags.json = true;
    else if (arg in names) {
      const value = Number(args[++i]);
      if (args[i] === undefined || !Number.isFinite(value)) return `${arg} needs a number`;
      flags[names[arg] as 'quantile'] = value;
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else if (file === undefined) file = arg;
    else return `unexpected argument ${arg}`;
  }
  return file === undefined ? 'missing FILE' : { file, flags };
}

function ratioText(breaches: number, samples: number): string {
  const ratio = samples === 0 ? 0 : breaches / samples;
  return `${(ratio * 100).toFixed(2)}% (${breaches} of ${samples})`;
}

/** Runs `bulwark-slo` with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return 0;
  }
  const parsedArgs = command === 'recommend' ? parseFlags(rest) : `unknown command ${String(command)}`;
  if (typeof parsedArgs === 'string') {
    io.stderr(`bulwark-slo: ${parsedArgs}\n${USAGE}`);
    return 2;
  }
  const { file, flags } = parsedArgs;
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    io.stderr(`bulwark-slo: cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const input = parseLatencies(text);
  if (input.errors.length > 0) {
    for (const e of input.errors) io.stderr(`${file}:${e.line}: ${e.message}`);
    io.stderr(`bulwark-slo: ${input.errors.length} bad line(s); no recommendation was made`);
    return 1;
  }
  const groups =
    input.format === 'json' && input.export
      ? input.export.routes.map((r) => ({
          route: r.route,
          samples: r.samples,
          thresholdMs: r.thresholdMs,
          sketch: r.sketch,
        }))
      : [{ route: file, samples: input.samples, thresholdMs: undefined, sketch: undefined }];
  if (groups.length === 0) {
    io.stderr(`bulwark-slo: ${file} holds no routes`);
    return 3;
  }
  const results = [];
  let insufficient = false;
  for (const group of groups) {
    let recommendation: ReturnType<typeof recommendThreshold>;
    try {
      recommendation = recommendThreshold(group.samples, {
        breachTarget: flags.breachTarget,
        budgetShare: flags.budgetShare,
        quantile: flags.quantile,
        headroom: flags.headroom,
        minSamples: flags.minSamples,
        subject: group.route,
      });
    } catch (error) {
      io.stderr(`bulwark-slo: ${(error as Error).message}`);
      return 2;
    }
    const thresholdMs =
      flags.threshold ?? group.thresholdMs ?? (recommendation.status === 'ok' ? recommendation.thresholdMs : undefined);
    const breaches = thresholdMs === undefined ? 0 : group.samples.filter((v) => v > thresholdMs).length;
    const sketch = group.sketch ? restoreSketch(group.sketch) : undefined;
    insufficient ||= recommendation.status === 'insufficient_data';
    results.push({
      route: group.route,
      recommendation,
      breach: thresholdMs === undefined ? null : { thresholdMs, breaches, samples: group.samples.length },
      ...(sketch
        ? {
            sketch: {
              count: sketch.count,
              p50: sketch.quantile(0.5) ?? null,
              p90: sketch.quantile(0.9) ?? null,
              p99: sketch.quantile(0.99) ?? null,
            },
          }
        : {}),
    });
  }
  if (flags.json) io.stdout(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      io.stdout(`${r.route}: ${r.recommendation.explanation}`);
      if (r.recommendation.status === 'ok') io.stdout(`  threshold_ms: ${r.recommendation.thresholdMs}`);
      if (r.breach)
        io.stdout(`  breach ratio above ${r.breach.thresholdMs} ms: ${ratioText(r.breach.breaches, r.breach.samples)}`);
    }
  }
  return insufficient ? 3 : 0;
}
