import { describe, expect, it } from 'vitest';
import { createSloRecorder } from '../src/index.js';
import { runCli } from '../src/internal/run-cli.js';

async function run(argv: string[], files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const lines = Array.from({ length: 200 }, (_, i) => String(i + 1)).join('\n');

describe('bulwark-slo (in process)', () => {
  it('prints the recommendation and breach ratio', async () => {
    const { code, out } = await run(['recommend', 'lat.txt'], { 'lat.txt': lines });
    expect(code).toBe(0);
    expect(out).toContain('lat.txt: The p97.5 of the last 200 requests to lat.txt is 195 ms');
    expect(out).toContain('threshold_ms: 200');
    expect(out).toContain('breach ratio above 200 ms: 0.00% (0 of 200)');
  });

  it('takes --breach-target and --budget-share', async () => {
    const { code, out } = await run(['recommend', 'lat.txt', '--breach-target', '0.1', '--budget-share', '1'], {
      'lat.txt': lines,
    });
    expect(code).toBe(0);
    expect(out).toContain('The p90 of the last 200 requests to lat.txt is 180 ms');
    expect(out).toContain('within the 10% breach target');
  });

  it('takes options and prints JSON', async () => {
    const { code, out } = await run(
      [
        'recommend',
        'lat.txt',
        '--quantile',
        '0.5',
        '--headroom',
        '0',
        '--min-samples',
        '10',
        '--threshold',
        '150',
        '--json',
      ],
      { 'lat.txt': lines },
    );
    expect(code).toBe(0);
    const [result] = JSON.parse(out);
    expect(result.recommendation).toMatchObject({ status: 'ok', quantileMs: 100, thresholdMs: 100 });
    expect(result.breach).toEqual({ thresholdMs: 150, breaches: 50, samples: 200 });
  });

  it('reports bad lines with line numbers and exits 1', async () => {
    const { code, out, err } = await run(['recommend', 'bad.txt'], { 'bad.txt': '1\n2\nslow\n4\n-1\n' });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('bad.txt:3: not a finite duration ≥ 0: "slow"');
    expect(err).toContain('bad.txt:5: not a finite duration ≥ 0: "-1"');
    expect(err).toContain('2 bad line(s)');
  });

  it('exits 3 with insufficient data', async () => {
    const { code, out } = await run(['recommend', 'few.txt'], { 'few.txt': '1\n2\n' });
    expect(code).toBe(3);
    expect(out).toContain('Only 2 of the required 100 requests');
  });

  it('reads a JSON export per route, using its threshold and sketch', async () => {
    const slo = createSloRecorder({ thresholdsMs: { '/a': 150 } });
    for (let i = 1; i <= 200; i++) slo.record('/a', i);
    const { code, out } = await run(['recommend', 'x.json', '--json'], { 'x.json': JSON.stringify(slo.toJSON()) });
    expect(code).toBe(0);
    const [result] = JSON.parse(out);
    expect(result.route).toBe('/a');
    expect(result.breach).toEqual({ thresholdMs: 150, breaches: 50, samples: 200 });
    expect(result.sketch.count).toBe(200);
    expect(result.sketch.p99).toBeCloseTo(198, -1);
  });

  it('exits 3 for an export without routes', async () => {
    const { code, err } = await run(['recommend', 'e.json'], {
      'e.json': JSON.stringify(createSloRecorder().toJSON()),
    });
    expect(code).toBe(3);
    expect(err).toContain('holds no routes');
  });

  it.each([
    [[], 'unknown command'],
    [['recommend'], 'missing FILE'],
    [['recommend', 'a', 'b'], 'unexpected argument b'],
    [['recommend', 'a', '--nope'], 'unknown option --nope'],
    [['recommend', 'a', '--quantile'], '--quantile needs a number'],
    [['recommend', 'a', '--quantile', 'abc'], '--quantile needs a number'],
  ])('exits 2 on usage errors: %j', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('exits 2 when the file cannot be read or an option is out of range', async () => {
    expect((await run(['recommend', 'missing.txt'])).code).toBe(2);
    const { code, err } = await run(['recommend', 'lat.txt', '--quantile', '2'], { 'lat.txt': lines });
    expect(code).toBe(2);
    expect(err).toContain('`quantile`');
  });

  it('prints usage for --help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: bulwark-slo recommend FILE');
  });
});
