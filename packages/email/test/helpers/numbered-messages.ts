import type { EmailMessage } from '../../src/index.js';

/** `count` messages whose subjects end in their index (`Message 0`, `Message 1`, …), so a test can tell batch items apart. */
export const numberedMessages = (count: number): EmailMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    from: 'sender@example.com',
    to: `user${i}@example.com`,
    subject: `Message ${i}`,
    text: 'Hi',
  }));
