import { nodeProject } from '../../vitest.shared';

// Real workerd (miniflare) starts in beforeAll; the suite stays well under a minute.
export default nodeProject(import.meta.url, { testTimeout: 30_000 });
