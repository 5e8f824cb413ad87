import { describe, expect, it } from 'vitest';
import { isAbortReason, linkSignals, throwIfAborted } from '../src/index.js';

describe('linkSignals', () => {
  it('aborts when any input aborts, with that reason', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals([a.signal, undefined, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    b.abort('b-reason');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('b-reason');
  });

  it('is aborted immediately when an input already is', () => {
    const a = new AbortController();
    a.abort('early');
    const linked = linkSignals([a.signal]);
    expect(linked.signal.reason).toBe('early');
    linked.dispose();
  });

  it('stops following inputs after dispose', () => {
    const a = new AbortController();
    const linked = linkSignals([a.signal]);
    linked.dispose();
    a.abort('late');
    expect(linked.signal.aborted).toBe(false);
  });
});

describe('throwIfAborted', () => {
  it('throws the reason only when aborted', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    controller.abort(new Error('cancelled'));
    expect(() => throwIfAborted(controller.signal)).toThrow('cancelled');
  });
});

describe('isAbortReason', () => {
  it('matches only the exact reason of an aborted signal', () => {
    const controller = new AbortController();
    const reason = new Error('x');
    expect(isAbortReason(reason, controller.signal)).toBe(false);
    controller.abort(reason);
    expect(isAbortReason(reason, controller.signal)).toBe(true);
    expect(isAbortReason(new Error('x'), controller.signal)).toBe(false);
    expect(isAbortReason(reason, undefined)).toBe(false);
  });
});
