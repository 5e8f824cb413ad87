// Node-only: imported as `@bulwark/testing/promtool`, never from the edge-safe index. The lookup
// itself is plain JavaScript (promtool-path.mjs), shared with the test command's provisioning.
export { findPromtool, PROMTOOL_CACHE_DIR } from './promtool-path.mjs';
