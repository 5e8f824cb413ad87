import { createShutdown } from '@bulwark/health';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { redisReady } from './redis-connection.js';
import { createServices } from './services.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

// Everything written under DATA_DIR (databases, WAL files, key files) is owner-only.
process.umask(0o077);

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

const logger = createLogger(config.LOG_LEVEL);
let built: ReturnType<typeof createServices>;
try {
  built = createServices(config, logger, undefined, process.env, { deliveryThread: config.DELIVERY_THREAD });
} catch (error) {
  fail(`Startup failed: ${error instanceof Error ? error.message : String(error)}`);
}
const { services, generatedAdminToken } = built;
const app = createApp(services);
// The first readiness answer should see Redis connected, not a client still dialling.
if (services.redis) await redisReady(services.redis, 5_000);
// Nor the delivery thread still opening its store (readiness fails until it is up).
await services.delivery?.thread?.whenReady(10_000);
services.health.start();
await services.health.refresh();
services.delivery?.dispatcher.start();

const shutdown = createShutdown({
  health: services.health,
  drainDelayMs: config.SHUTDOWN_DRAIN_MS,
  deadlineMs: config.SHUTDOWN_DEADLINE_MS,
  hookTimeoutMs: Math.max(1_000, config.SHUTDOWN_DEADLINE_MS - config.SHUTDOWN_DRAIN_MS),
  logger: {
    info: (fields, message) => logger.info(fields, message),
    error: (fields, message) => logger.error(fields, message),
  },
});
// Hooks run in reverse order of registration: register in opening order, close in closing order.
for (const closer of [...services.closers].reverse()) shutdown.addHook(closer.name, () => closer.close());
shutdown.addHook('health', () => services.health.stop());

const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
  logger.info({ url: `http://${info.address}:${info.port}`, pid: process.pid }, 'bulwark reference server listening');
  if (generatedAdminToken) {
    // Printed on stdout once, outside the JSON log (which redacts tokens), for local use only.
    process.stdout.write(
      `\nDashboard: http://${info.address}:${info.port}/\nAdmin token (this run only; set ADMIN_TOKEN to fix one): ${generatedAdminToken}\n\n`,
    );
  }
});
server.once('error', (error: NodeJS.ErrnoException) => {
  const reason =
    error.code === 'EADDRINUSE'
      ? `${config.HOST}:${config.PORT} is already in use (set PORT to another port, or stop what is listening there)`
      : error.code === 'EACCES'
        ? `not allowed to listen on ${config.HOST}:${config.PORT} (ports below 1024 need privileges)`
        : `cannot listen on ${config.HOST}:${config.PORT}: ${error.code ?? error.message}`;
  fail(`Startup failed: ${reason}`);
});
shutdown.addServer(server);
shutdown.listen();
