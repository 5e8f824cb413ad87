import { nodeProject } from '../../vitest.shared';

export default nodeProject(import.meta.url);
