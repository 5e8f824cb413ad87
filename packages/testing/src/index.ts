/**
 * Private test helpers shared by Bulwark's own suites. Not published.
 *
 * @module
 */
export { clusterSlot, crc16 } from './cluster-slot.js';
export { type ErrorClassExpectation, expectBrandedByClass } from './error-class.js';
export { FakeClock, flushMicrotasks, settle } from './fake-clock.js';
export { filesImportingNode } from './node-imports.js';
export { redisUrl } from './redis.js';
export { createTestServer, type RecordedCall, type TestServer } from './test-server.js';
