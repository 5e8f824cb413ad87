import type { Redis } from 'ioredis';

/** redis-server's CPU time so far (user + system, µs), from `INFO cpu`: sampled around a subject's run. */
export async function redisServerCpuUs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}
