import { nodeProject } from '../../vitest.shared';

// Node-only package (undici, node:dns for the SSRF guard, SQLite/BullMQ stores): no edge project.
export default nodeProject(import.meta.url, { testTimeout: 30_000 });
