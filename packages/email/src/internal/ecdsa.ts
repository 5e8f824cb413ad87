/**
 * Converts an ASN.1 DER ECDSA signature (`SEQUENCE { r INTEGER, s INTEGER }`) to the
 * fixed-size `r || s` form Web Crypto verifies. `undefined` when it is not valid DER. @internal
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array<ArrayBuffer> | undefined {
  let offset = 0;
  const byte = () => der[offset++];
  if (byte() !== 0x30) return undefined;
  let length = byte();
  if (length === undefined) return undefined;
  if (length === 0x81) length = byte();
  if (length === undefined || length !== der.length - offset) return undefined;
  const out = new Uint8Array(size * 2);
  for (let part = 0; part < 2; part++) {
    if (byte() !== 0x02) return undefined;
    const len = byte();
    if (len === undefined || len === 0 || offset + len > der.length) return undefined;
    let int = der.subarray(offset, offset + len);
    offset += len;
    while (int.length > 1 && int[0] === 0) int = int.subarray(1);
    if (int.length > size) return undefined;
    out.set(int, part * size + (size - int.length));
  }
  return offset === der.length ? out : undefined;
}

/** The DER bytes inside a PEM block, or the input when it is bare base64. @internal */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
}
