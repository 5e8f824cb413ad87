import { edgeProject } from '../../vitest.shared';

export default edgeProject(import.meta.url);
