import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createSloRecorder } from '../src/index.js';

describe('the recorder handle', () => {
  it('stays in fast mode, so `recorder.record` is a field load the optimizer can inline', () => {
    expect(hasFastProperties(createSloRecorder())).toBe(true);
  });

  it('is frozen and reports counted invalid samples through an enumerable getter', () => {
    const recorder = createSloRecorder({ invalidSamples: 'count' });
    expect(Object.isFrozen(recorder)).toBe(true);
    recorder.record('GET /', Number.NaN);
    expect(recorder.invalidSamples).toBe(1);
    expect(Object.getOwnPropertyDescriptor(recorder, 'invalidSamples')).toMatchObject({ enumerable: true });
    expect({ ...recorder }.invalidSamples).toBe(1);
  });
});
