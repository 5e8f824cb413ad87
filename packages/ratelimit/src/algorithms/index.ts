import type { Algorithm } from '../types.js';
import { fixedWindow } from './fixed-window.js';
import { gcra } from './gcra.js';
import { slidingWindow } from './sliding-window.js';
import type { AlgorithmStep } from './step.js';
import { tokenBucket } from './token-bucket.js';

/** The step function of each algorithm. @internal */
export const STEPS: Readonly<Record<Algorithm, AlgorithmStep>> = Object.freeze({
  gcra,
  'token-bucket': tokenBucket,
  'sliding-window': slidingWindow,
  'fixed-window': fixedWindow,
});

/** Numbers of state kept per policy. @internal */
export const SLOTS_PER_POLICY = 3;
