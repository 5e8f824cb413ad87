import { FakeClock } from '@bulwark/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClockOffset } from '../src/redis/clock-offset.js';

describe('ClockOffset: the deadline in Redis time', () => {
  it('sends no deadline without a sample, or without a deadline', () => {
    const clock = new FakeClock(1_000);
    const offset = new ClockOffset(clock);
    expect(offset.deadline(100)).toBe(0);
    offset.sample(5_000_000);
    expect(offset.deadline(undefined)).toBe(0);
  });

  it('property: the Redis deadline is never later than the host deadline, whatever the skew and reply delays', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 1_500 }),
            exec: fc.integer({ min: 0, max: 50 }),
            read: fc.integer({ min: 0, max: 200 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 60_000 }),
        (skew, replies, deadlineMs) => {
          const clock = new FakeClock(10_000);
          const offset = new ClockOffset(clock);
          for (const { gap, exec, read } of replies) {
            clock.advance(gap + exec);
            // Redis decided `exec` ms after the send, at Redis time host + skew (fractional, truncated like the reply).
            const redisNow = Math.floor(clock.now() + 0.75 + skew);
            clock.advance(read);
            offset.sample(redisNow);
            const sent = offset.deadline(deadlineMs);
            if (sent !== 0) expect(sent).toBeLessThanOrEqual(clock.now() + skew + deadlineMs);
          }
        },
      ),
    );
  });

  it('is tight when a reply is read at once, keeping the best sample of the last round', () => {
    const clock = new FakeClock(0);
    const offset = new ClockOffset(clock);
    offset.sample(5_000 - 40); // read 40 ms after Redis decided: a loose bound
    offset.sample(5_000); // read at once: the tight one
    expect(offset.deadline(100)).toBe(5_000 + 100 - 1);
    clock.advance(1_000); // a new round keeps the previous one
    offset.sample(6_000 - 30);
    expect(offset.deadline(100)).toBe(6_000 + 100 - 1);
  });

  it('forgets an offset from a Redis clock that was stepped back within two rounds', () => {
    const clock = new FakeClock(0);
    const offset = new ClockOffset(clock);
    offset.sample(10_000);
    clock.advance(1_000);
    offset.sample(1_000); // Redis clock stepped back by 10 s
    expect(offset.deadline(100)).toBe(1_000 + 10_000 - 1 + 100);
    clock.advance(1_000);
    offset.sample(2_000);
    expect(offset.deadline(100)).toBe(2_000 + 100 - 1);
  });

  it('sends no deadline once its samples are over two seconds old', () => {
    const clock = new FakeClock(0);
    const offset = new ClockOffset(clock);
    offset.sample(7_000);
    clock.advance(1_999);
    expect(offset.deadline(100)).toBe(7_000 + 1_999 - 1 + 100);
    clock.advance(1);
    expect(offset.deadline(100)).toBe(0);
    clock.advance(5_000);
    offset.sample(14_000);
    expect(offset.deadline(100)).toBe(14_000 - 1 + 100);
  });
});
