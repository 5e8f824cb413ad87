#!/usr/bin/env python3
"""Independent verifier of the Bulwark webhook test vectors, Python standard library only.

Usage: python3 verify.py [vector.json ...]
  (default: every *.json next to this file, then ../<provider>/*.json: the provider vectors)
Exit status 0 when every case yields its expected outcome, 1 otherwise.

Implements docs/webhook-signing.md from scratch: header grammar, strict timestamps, tolerance,
HMAC-SHA256 for v1 and Ed25519 (RFC 8032, pure Python, verification only) for v1a. Provider
vectors (format bulwark-inbound-vectors/1) are checked against each provider's documented scheme:
Stripe, GitHub, Meta, Shopify, Slack, Twilio (HMAC-SHA1) and HubSpot v3.
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


# ---------------- Provider schemes (bulwark-inbound-vectors/1) ----------------
MAX_HEADER = 8192
STRIPE_ENTRY = re.compile(r"^([a-z0-9]{1,8})=([\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,512})$")
B64_32 = re.compile(r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$")
B64_20 = re.compile(r"^[A-Za-z0-9+/]{26}[AEIMQUYcgkosw048]=$")
MILLIS = re.compile(r"^(?:0|[1-9][0-9]{0,12})$")
HUBSPOT_DECODED = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)
AUTHORITY = re.compile(r"^([a-z][a-z0-9+.-]*://)([^/?#]*)", re.IGNORECASE)
ORIGIN_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]*", re.IGNORECASE)
FORM_TYPE = re.compile(r"^application/x-www-form-urlencoded\s*(?:;|$)", re.IGNORECASE)


def required(headers, name):
    value = headers.get(name)
    if value is None or value == "":
        raise Reject("webhook_header_missing")
    if len(value) > MAX_HEADER:
        raise Reject("webhook_header_malformed")
    return value


def optional(headers, name):
    value = headers.get(name)
    return value if value else None


def signed_url(case):
    url = case.get("url")
    if not url:
        raise Reject("webhook_url_unavailable")
    prefix = ORIGIN_PREFIX.match(url)
    origin = case.get("publicOrigin")
    if origin is not None:
        return origin + (url[prefix.end():] if prefix else url)
    if prefix:
        return url
    raise Reject("webhook_url_unavailable")


def twilio_url_variants(url):
    match = AUTHORITY.match(url)
    if not match:
        return [url]
    scheme, authority = match.group(1), match.group(2)
    user_end = authority.rfind("@")
    host_port = authority[user_end + 1:]
    port_start = host_port.find(":", host_port.rfind("]") + 1)
    head = scheme + authority[:user_end + 1]
    host = host_port if port_start == -1 else host_port[:port_start]
    rest = url[match.end():]
    without = head + host + rest
    default = ":443" if scheme.lower() == "https://" else ":80"
    with_port = head + host + default + rest if port_start == -1 else url
    return [without] if without == with_port else [without, with_port]


def form_component(text):
    text = text.replace("+", " ")
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        raise Reject("webhook_body_unsupported")
    raw = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            raw.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            raw.extend(text[i].encode("utf-8"))
            i += 1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("webhook_body_unsupported")


def utf16_key(text):
    return text.encode("utf-16-be")


def twilio_fields(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("webhook_body_unsupported")
    fields = {}
    count = 0
    for pair in text.split("&"):
        if pair == "":
            continue
        count += 1
        if count > 1000:
            raise Reject("webhook_body_unsupported")
        name, sep, value = pair.partition("=")
        fields.setdefault(form_component(name), set()).add(form_component(value) if sep else "")
    out = ""
    for name in sorted(fields, key=utf16_key):
        for value in sorted(fields[name], key=utf16_key):
            out += name + value
    return out


def body_sha256_param(url):
    query_start = url.find("?")
    if query_start == -1:
        return None
    hash_start = url.find("#", query_start)
    query = url[query_start + 1:] if hash_start == -1 else url[query_start + 1:hash_start]
    found = None
    for pair in query.split("&"):
        if not pair.startswith("bodySHA256="):
            continue
        if found is not None:
            raise Reject("webhook_header_malformed")
        found = pair[len("bodySHA256="):]
        if not HEX64.match(found):
            raise Reject("webhook_header_malformed")
    return found


def parse_provider(provider, case, body):
    """Returns (signatures, timestamp_ms, messages, algorithm, encoding, body_sha256, delivery_id)."""
    headers = case["headers"]
    if provider == "stripe":
        parts = required(headers, "stripe-signature").split(",")
        if len(parts) > 16:
            raise Reject("webhook_header_malformed")
        ts, sigs = None, []
        for part in parts:
            m = STRIPE_ENTRY.match(part)
            if not m:
                raise Reject("webhook_header_malformed")
            if m.group(1) == "t":
                if ts is not None:
                    raise Reject("webhook_header_malformed")
                ts = m.group(2)
            elif m.group(1) == "v1":
                if not HEX64.match(m.group(2)):
                    raise Reject("webhook_header_malformed")
                sigs.append(m.group(2))
        if ts is None:
            raise Reject("webhook_header_malformed")
        if not TIMESTAMP.match(ts):
            raise Reject("webhook_timestamp_invalid")
        return sigs, int(ts) * 1000, [ts.encode() + b"." + body], "sha256", "hex", None, None
    if provider in ("github", "meta"):
        value = required(headers, "x-hub-signature-256")
        if not value.startswith("sha256=") or not HEX64.match(value[7:]):
            raise Reject("webhook_header_malformed")
        delivery = optional(headers, "x-github-delivery") if provider == "github" else None
        return [value[7:]], None, [body], "sha256", "hex", None, delivery
    if provider == "shopify":
        # Shopify Events sends the same HMAC without the X- prefix; when present it is the one read.
        prefix = "" if optional(headers, "shopify-hmac-sha256") else "x-"
        value = required(headers, prefix + "shopify-hmac-sha256")
        if not B64_32.match(value):
            raise Reject("webhook_header_malformed")
        return [value], None, [body], "sha256", "base64", None, optional(headers, prefix + "shopify-webhook-id")
    if provider == "slack":
        ts = required(headers, "x-slack-request-timestamp")
        value = required(headers, "x-slack-signature")
        if not TIMESTAMP.match(ts):
            raise Reject("webhook_timestamp_invalid")
        if not value.startswith("v0=") or not HEX64.match(value[3:]):
            raise Reject("webhook_header_malformed")
        return [value[3:]], int(ts) * 1000, [f"v0:{ts}:".encode() + body], "sha256", "hex", None, None
    if provider == "twilio":
        value = required(headers, "x-twilio-signature")
        if not B64_20.match(value):
            raise Reject("webhook_header_malformed")
        url = signed_url(case)
        delivery = optional(headers, "i-twilio-idempotency-token")
        body_hash = body_sha256_param(url)
        variants = twilio_url_variants(url)
        if body_hash is not None:
            return [value], None, [v.encode() for v in variants], "sha1", "base64", body_hash, delivery
        if body and not FORM_TYPE.match(headers.get("content-type") or ""):
            raise Reject("webhook_body_unsupported")
        fields = twilio_fields(body) if body else ""
        return [value], None, [(v + fields).encode() for v in variants], "sha1", "base64", None, delivery
    if provider == "hubspot":
        ts = required(headers, "x-hubspot-request-timestamp")
        value = required(headers, "x-hubspot-signature-v3")
        if not MILLIS.match(ts):
            raise Reject("webhook_timestamp_invalid")
        if not B64_32.match(value):
            raise Reject("webhook_header_malformed")
        method = case.get("method")
        if method is None or not re.fullmatch(r"[A-Z]{1,16}", method):
            raise Reject("webhook_url_unavailable")
        uri = HUBSPOT_DECODED.sub(lambda m: chr(int(m.group(1), 16)), signed_url(case))
        return [value], int(ts), [(method + uri).encode() + body + ts.encode()], "sha256", "base64", None, None
    raise ValueError(f"unknown provider {provider}")


def verify_provider(provider, case, body, tolerance):
    sigs, ts_ms, messages, algorithm, encoding, body_hash, delivery = parse_provider(provider, case, body)
    now_ms = case["nowMs"]
    if ts_ms is not None:
        if now_ms - ts_ms > tolerance["pastSec"] * 1000:
            raise Reject("webhook_timestamp_too_old")
        if ts_ms - now_ms > tolerance["futureSec"] * 1000:
            raise Reject("webhook_timestamp_in_future")
    if body_hash is not None and not hmac.compare_digest(hashlib.sha256(body).hexdigest(), body_hash):
        raise Reject("webhook_signature_mismatch")
    digest = hashlib.sha1 if algorithm == "sha1" else hashlib.sha256
    for entry in case["secrets"]:
        for message in messages:
            raw = hmac.new(entry["secret"].encode("utf-8"), message, digest).digest()
            mac = raw.hex() if encoding == "hex" else base64.b64encode(raw).decode()
            if any(hmac.compare_digest(mac, sig) for sig in sigs):
                return {"valid": True, "keyId": entry["id"], "timestampMs": ts_ms, "deliveryId": delivery}
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
                if data["format"] == "bulwark-inbound-vectors/1":
                    outcome = verify_provider(data["provider"], case, body_of(case), data["tolerance"])
                else:
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
    providers = sorted(
        p for p in glob.glob(os.path.join(here, "..", "*", "*.json"))
        if os.path.basename(os.path.dirname(p)) != os.path.basename(here)
    )
    sys.exit(main(sys.argv[1:] or sorted(glob.glob(os.path.join(here, "*.json"))) + providers))
