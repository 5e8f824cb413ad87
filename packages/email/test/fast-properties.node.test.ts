import { hasFastProperties } from '@bulwark/testing/fast-properties';
import { describe, expect, it } from 'vitest';
import { createSimulatedProvider } from '../src/index.js';

describe('the simulated provider', () => {
  it('stays in fast mode, so `provider.send` is a field load the optimizer can inline', () => {
    expect(hasFastProperties(createSimulatedProvider())).toBe(true);
  });

  it('exposes the recorded messages through an enumerable getter', async () => {
    const provider = createSimulatedProvider();
    await provider.send({ from: 'a@example.com', to: 'b@example.com', subject: 'hi', text: 'hello' });
    expect(provider.messages).toHaveLength(1);
    expect({ ...provider }.messages).toBe(provider.messages);
  });
});
