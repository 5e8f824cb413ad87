import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Every byte of every file under `dir` (databases, WAL and journal files, key files). */
export function filesBytes(dir: string): Buffer {
  const bytes: Buffer[] = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)));
  return Buffer.concat(bytes);
}

/** Every key name and value of every Redis key containing `prefix`, by type; an unknown type fails the scan. */
export async function redisBytes(redis: Redis, prefix: string): Promise<Buffer> {
  const bytes: Buffer[] = [];
  for (const name of await redis.keys(`*${prefix}*`)) {
    bytes.push(Buffer.from(name));
    const type = await redis.type(name);
    if (type === 'string') bytes.push((await redis.getBuffer(name)) as Buffer);
    else if (type === 'hash')
      bytes.push(
        ...Object.entries(await redis.hgetallBuffer(name))
          .flat()
          .map((v) => Buffer.from(v)),
      );
    else if (type === 'list') bytes.push(...(await redis.lrangeBuffer(name, 0, -1)));
    else if (type === 'set') bytes.push(...(await redis.smembersBuffer(name)));
    else if (type === 'zset') bytes.push(...(await redis.zrangeBuffer(name, 0, -1)));
    else throw new Error(`unexpected Redis type ${type} for ${name}`);
  }
  return Buffer.concat(bytes);
}
