import { createReceiver } from './receiver.js';

const secrets = (process.env.WEBHOOK_SECRETS ?? '').split(/[\s,]+/).filter(Boolean);
if (secrets.length === 0) {
  process.stderr.write('Set WEBHOOK_SECRETS to the endpoint secret(s), e.g. WEBHOOK_SECRETS=whsec_...\n');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 4000);
createReceiver({
  secrets,
  onEvent: (event) => console.log(`received ${event.type} ${event.id} (signed with key ${event.keyId})`),
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/webhooks`));
