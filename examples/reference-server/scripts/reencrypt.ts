// `pnpm --filter ./examples/reference-server reencrypt`: re-seals every stored endpoint secret with
// the CURRENT key of DATA_ENCRYPTION_KEYS (the first entry), so an old key can then be removed.
// Run it with the same environment as the server (DATA_DIR or REDIS_URL), new key first, old key after it.
import { join } from 'node:path';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { loadConfig } from '../src/config.js';
import { redisDeliveryStore } from '../src/delivery/delivery-dispatcher.js';
import { loadDataKeys } from '../src/secrets/data-keys.js';
import { encryptingStore } from '../src/secrets/encrypting-store.js';
import { createSecretBox } from '../src/secrets/secret-box.js';

process.umask(0o077);
const config = loadConfig(process.env);
const keys = loadDataKeys({
  configured: config.DATA_ENCRYPTION_KEYS,
  dataDir: config.DATA_DIR,
  production: config.BULWARK_ENV === 'production',
  shared: config.REDIS_URL !== undefined,
});
const box = createSecretBox(keys);
const raw = config.REDIS_URL
  ? redisDeliveryStore(config)
  : createSqliteStore({ path: join(config.DATA_DIR, 'delivery.db') });
const sealed = encryptingStore(raw, box);
let resealed = 0;
try {
  for (const stored of await raw.listEndpoints()) {
    if (stored.secrets.every((s) => box.isCurrent(s.secret))) continue;
    const record = await sealed.getEndpoint(stored.id);
    if (record) await sealed.saveEndpoint(record);
    resealed += 1;
  }
  process.stdout.write(`re-sealed ${resealed} endpoint(s) with key '${keys.current.id}'\n`);
} finally {
  await raw.close();
}
