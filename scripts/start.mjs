#!/usr/bin/env node
// `pnpm start` / `npm start`: runs the reference server (examples/reference-server) in THIS
// process, so a signal sent to it reaches the server itself. There is no nested package manager
// or tsx CLI in between (neither passes SIGTERM on), and when the package manager that launched
// us is killed, its shell dies and exitWithParent turns that into a SIGTERM for the server.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bootstrap } from './bootstrap.mjs';
import { exitWithParent } from './exit-with-parent.mjs';

bootstrap();

const serverDir = resolve(import.meta.dirname, '../examples/reference-server');
// The server resolves DATA_DIR (default ./data) against its own folder, as `tsx src/main.ts` there does.
process.chdir(serverDir);
// Imported after bootstrap: on a fresh clone, tsx is installed by it.
const { register } = await import('tsx/esm/api');
register({ tsconfig: join(serverDir, 'tsconfig.json') });
exitWithParent();
await import(pathToFileURL(join(serverDir, 'src/main.ts')).href);
