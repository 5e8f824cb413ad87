// One of the separate Node processes of the exactness test. It loads the decide scripts, says
// "ready", then for each job line on stdin fires `calls` concurrent EVALSHA decisions of the
// job's script on its keys and prints how many were allowed (`job.allowed`: the reply index and
// the value there that means allowed).
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';

const { url, scripts, calls } = JSON.parse(process.argv[2]);
const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
await new Promise((resolve) => client.once('ready', resolve));
const shas = {};
for (const [name, script] of Object.entries(scripts)) shas[name] = await client.script('LOAD', script);
process.stdout.write('ready\n');

for await (const line of createInterface({ input: process.stdin })) {
  const job = JSON.parse(line);
  if (job.done) break;
  const replies = await Promise.all(
    Array.from({ length: calls }, () => client.evalsha(shas[job.script], job.keys.length, ...job.keys, ...job.args)),
  );
  process.stdout.write(
    `${JSON.stringify({ allowed: replies.filter((r) => r[job.allowed[0]] === job.allowed[1]).length })}\n`,
  );
}
client.disconnect();
