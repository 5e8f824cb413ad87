"""Verify a Bulwark (Standard Webhooks) delivery in Python, standard library only.

Usage from a web framework: call verify(headers, raw_body_bytes, secrets) before parsing JSON.
Command line (used by the tests): python3 verify_webhook.py SECRET < request.json
where request.json is {"headers": {...}, "body_base64": "..."}; exits 0 when valid.
"""
import base64
import hashlib
import hmac
import json
import sys
import time

TOLERANCE_SECONDS = 300


def _key(secret: str) -> bytes:
    return base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret, validate=True)


def verify(headers: dict, body: bytes, secrets: list, now: float = None) -> str:
    """Returns the webhook id when a signature matches one of the secrets; raises ValueError otherwise."""
    headers = {k.lower(): v for k, v in headers.items()}
    msg_id, timestamp, signatures = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (msg_id and timestamp and signatures):
        raise ValueError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not timestamp.isdigit():
        raise ValueError("webhook-timestamp must be Unix seconds")
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp outside the tolerance")
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    candidates = [s.split(",", 1)[1] for s in signatures.split(" ") if s.startswith("v1,")]
    for secret in secrets:
        expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, c) for c in candidates):
            return msg_id
    raise ValueError("no matching signature")


if __name__ == "__main__":
    request = json.load(sys.stdin)
    try:
        print(verify(request["headers"], base64.b64decode(request["body_base64"]), sys.argv[1:]))
    except ValueError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
