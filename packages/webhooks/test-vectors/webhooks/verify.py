#!/usr/bin/env python3
"""Independent verifier of the Bulwark webhook test vectors, Python standard library only.

Usage: python3 verify.py [vector.json ...]   (default: every *.json next to this file)
Exit status 0 when every case yields its expected outcome, 1 otherwise.

Implements docs/webhook-signing.md from scratch: header grammar, strict timestamps, tolerance,
HMAC-SHA256 for v1 and Ed25519 (RFC 8032, pure Python, verification only) for v1a.
"""
import base64
import binascii
import glob
import hashlib
import hmac
import json
import os
import re
import sys

TIMESTAMP = re.compile(r"^(?:0|[1-9][0-9]{0,9})$")
NONCE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
STD_ID = re.compile(r"^[\x21-\x7e]{1,256}$")
BULWARK_ENTRY = re.compile(r"^(v[0-9][0-9a-z]{0,7})=([0-9A-Za-z+/=_-]{1,512})$")
STANDARD_ENTRY = re.compile(r"^(v[0-9][0-9a-z]{0,7}),([0-9A-Za-z+/=_-]{1,512})$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Reject(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


# ---------------- Ed25519 verification (RFC 8032 section 5.1.7) ----------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = t1 * 2 * D * t2 % P
    Dd = z1 * 2 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(a, b):
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


GY = 4 * pow(5, P - 2, P) % P
G = (_recover_x(GY, 0), GY, 1, _recover_x(GY, 0) * GY % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    A = _decompress(public)
    R = _decompress(signature[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul(s, G), _add(R, _mul(h, A)))


# ---------------- The schemes ----------------
def strict_b64(text):
    if len(text) % 4 != 0 or not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    return raw if base64.b64encode(raw).decode() == text else None


def secret_bytes(secret):
    raw = strict_b64(secret[6:] if secret.startswith("whsec_") else secret)
    if raw is None or not 24 <= len(raw) <= 64:
        raise ValueError("malformed secret")
    return raw


def header(headers, name):
    value = headers.get(name)
    if value is None or value == "":
        raise Reject("webhook_header_missing")
    return value


def parse_signatures(value, scheme):
    parts = value.split(" ")
    if len(parts) > 16 or "" in parts:
        raise Reject("webhook_header_malformed")
    out = []
    for part in parts:
        match = (BULWARK_ENTRY if scheme == "bulwark" else STANDARD_ENTRY).match(part)
        if not match:
            raise Reject("webhook_header_malformed")
        version, text = match.group(1), match.group(2)
        if scheme == "bulwark":
            if version != "v1":
                continue
            if not HEX64.match(text):
                raise Reject("webhook_header_malformed")
            out.append((version, bytes.fromhex(text)))
        else:
            if version not in ("v1", "v1a"):
                continue
            raw = strict_b64(text)
            if raw is None or len(raw) != (32 if version == "v1" else 64):
                raise Reject("webhook_header_malformed")
            out.append((version, raw))
    return out


def verify(scheme, case, body, tolerance):
    headers = case["headers"]
    if scheme == "bulwark":
        names = ("bulwark-nonce", "bulwark-timestamp", "bulwark-signature")
    elif headers.get("webhook-signature") or not headers.get("svix-signature"):
        names = ("webhook-id", "webhook-timestamp", "webhook-signature")
    else:
        names = ("svix-id", "svix-timestamp", "svix-signature")
    ts_text = header(headers, names[1])
    msg_id = header(headers, names[0])
    sig_text = header(headers, names[2])
    if not TIMESTAMP.match(ts_text):
        raise Reject("webhook_timestamp_invalid")
    ts = int(ts_text)
    if not (NONCE if scheme == "bulwark" else STD_ID).match(msg_id):
        raise Reject("webhook_header_malformed")
    signatures = parse_signatures(sig_text, scheme)
    now = case["now"]
    if now - ts > tolerance["pastSec"]:
        raise Reject("webhook_timestamp_too_old")
    if ts - now > tolerance["futureSec"]:
        raise Reject("webhook_timestamp_in_future")
    if scheme == "bulwark":
        content = f"{ts}.{msg_id}.{hashlib.sha256(body).hexdigest()}".encode()
    else:
        content = f"{msg_id}.{ts}.".encode() + body
    for entry in case.get("secrets", []):
        mac = hmac.new(secret_bytes(entry["secret"]), content, hashlib.sha256).digest()
        if any(v == "v1" and hmac.compare_digest(mac, sig) for v, sig in signatures):
            return {"valid": True, "keyId": entry["id"], "id": msg_id, "timestamp": ts}
    for entry in case.get("publicKeys", []):
        key = entry["key"]
        public = strict_b64(key[5:] if key.startswith("whpk_") else key)
        if any(v == "v1a" and ed25519_verify(public, content, sig) for v, sig in signatures):
            return {"valid": True, "keyId": entry["id"], "id": msg_id, "timestamp": ts}
    raise Reject("webhook_signature_mismatch")


def body_of(case):
    if "bodyRepeat" in case:
        return (case["bodyRepeat"]["unit"] * case["bodyRepeat"]["count"]).encode()
    raw = base64.b64decode(case["bodyBase64"], validate=True)
    if "body" in case and case["body"].encode("utf-8") != raw:
        raise ValueError("body and bodyBase64 disagree")
    return raw


def main(paths):
    failures = total = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for case in data["cases"]:
            total += 1
            try:
                outcome = verify(data["scheme"], case, body_of(case), case.get("tolerance", data["tolerance"]))
            except Reject as reject:
                outcome = {"valid": False, "code": reject.code}
            if outcome != case["expected"]:
                failures += 1
                print(f"FAIL {os.path.basename(path)}: {case['name']}: got {outcome}, expected {case['expected']}")
    print(f"{total - failures}/{total} vectors passed")
    return 1 if failures else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(main(sys.argv[1:] or sorted(glob.glob(os.path.join(here, "*.json")))))
