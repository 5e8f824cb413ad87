import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

const logger = createLogger(config.LOG_LEVEL);
let built: ReturnType<typeof createServices>;
try {
  built = createServices(config, logger, undefined, process.env);
} catch (error) {
  fail(`Startup failed: ${error instanceof Error ? error.message : String(error)}`);
}
const { services, generatedAdminToken } = built;
const app = createApp(services);
services.delivery?.dispatcher.start();

const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
  logger.info({ url: `http://${info.address}:${info.port}`, pid: process.pid }, 'bulwark reference server listening');
  if (generatedAdminToken) {
    // Printed on stdout once, outside the JSON log (which redacts tokens), for local use only.
    process.stdout.write(
      `\nDashboard: http://${info.address}:${info.port}/\nAdmin token (this run only; set ADMIN_TOKEN to fix one): ${generatedAdminToken}\n\n`,
    );
  }
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  services.lifecycle.shuttingDown = true;
  logger.info({ signal }, 'shutting down: readiness is now 503, draining in-flight work');
  const deadline = setTimeout(() => {
    logger.error({ deadlineMs: config.SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting');
    process.exit(1);
  }, config.SHUTDOWN_DEADLINE_MS);
  // Not unref'd: it keeps the process alive until the drain below finishes. The drain waits on
  // unref'd handles (the delivery store's WAL checkpointer worker), so without a ref'd timer Node
  // ran out of work mid-drain and exited 0 before "shutdown complete", with the database open.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const close of services.closers) await close();
  logger.info('shutdown complete');
  clearTimeout(deadline);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
