// `pnpm --filter @bulwark-examples/worker bundle`: prints the Worker's bundle sizes (as wrangler
// deploy bundles it, and minified) and fails above the 300 kB gzip budget.
import { bundleReferenceWorker, GZIP_BUDGET_BYTES } from '../test/support/bundle.js';

const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
const plain = await bundleReferenceWorker();
const minified = await bundleReferenceWorker(true);
console.log(
  `worker bundle: ${kb(plain.bytes)} (gzip ${kb(plain.gzipBytes)}); minified ${kb(minified.bytes)} (gzip ${kb(minified.gzipBytes)}); budget ${kb(GZIP_BUDGET_BYTES)} gzip`,
);
if (plain.gzipBytes > GZIP_BUDGET_BYTES) process.exit(1);
