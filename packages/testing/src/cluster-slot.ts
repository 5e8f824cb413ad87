/**
 * The Redis Cluster slot of a key, computed independently of ioredis and of the stores, per the
 * cluster specification: CRC16 (XMODEM: polynomial
 * 0x1021, initial value 0, no reflection) of the key's bytes, modulo 16384, where a key with a
 * `{…}` hash tag hashes only the tag: the bytes between the first `{` and the first `}` after it,
 * when there is at least one byte between them.
 *
 * @example
 * ```ts
 * expect(clusterSlot('{user1}:a')).toBe(clusterSlot('{user1}:b'));
 * ```
 */
export function clusterSlot(key: string): number {
  const bytes = new TextEncoder().encode(key);
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) & 16383;
  }
  return crc16(bytes) & 16383;
}

/**
 * CRC16/XMODEM, bit by bit (the spec's reference is table-driven; same function).
 *
 * @example
 * ```ts
 * expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x31c3);
 * ```
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
