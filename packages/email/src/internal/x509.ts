interface Tlv {
  readonly tag: number;
  /** Offset of the first byte of the element (its tag). */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new Error('truncated DER');
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error('DER element overruns its parent');
  return { tag, start: offset, contentStart, end };
}

/**
 * Extracts the DER SubjectPublicKeyInfo from a DER X.509 certificate, so Web Crypto can
 * import it (`importKey('spki', …)`). Only the structure is read; the chain is not
 * validated — SNS trust comes from the certificate URL's host. @internal
 */
export function spkiFromCertificate(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== 0x30) throw new Error('certificate is not a SEQUENCE');
  const tbs = readTlv(der, cert.contentStart, cert.end);
  if (tbs.tag !== 0x30) throw new Error('tbsCertificate is not a SEQUENCE');
  let offset = tbs.contentStart;
  let element = readTlv(der, offset, tbs.end);
  if (element.tag === 0xa0) element = readTlv(der, element.end, tbs.end); // explicit [0] version
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
  for (let i = 0; i < 5; i++) {
    offset = element.end;
    element = readTlv(der, offset, tbs.end);
  }
  if (element.tag !== 0x30) throw new Error('subjectPublicKeyInfo is not a SEQUENCE');
  return der.slice(element.start, element.end);
}
