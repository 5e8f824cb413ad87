import { join } from 'node:path';
import { filesImportingNode } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';

describe('web-standard core', () => {
  it('imports nothing from node: in src (runs on edge runtimes)', () => {
    expect(filesImportingNode(join(import.meta.dirname, '..', 'src'))).toEqual([]);
  });
});
