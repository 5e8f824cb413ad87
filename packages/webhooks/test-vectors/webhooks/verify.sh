#!/bin/sh
# Independent verifier of the Bulwark webhook test vectors: POSIX sh, sed, grep, awk, od and openssl.
#
# Usage: sh verify.sh [vector.json ...]   (default: every *.json next to this script)
# Exit status 0 when every case yields its expected outcome, 1 otherwise.
#
# Relies on the documented layout of the vector files: one case per line, no escaped quotes in
# header values, secrets or keys (see README.md). Bodies are read from `bodyBase64` or `bodyRepeat`.
# String comparison of MACs is fine here (a test tool); real receivers must compare in constant time.
set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ "$#" -gt 0 ] || set -- "$here"/*.json

hex() { od -An -v -tx1 | tr -d ' \n'; }
b64d() { printf '%s' "$1" | openssl base64 -d -A; }
# get <json-object-text> <key>: the string value of "key" (first level is enough for our layout).
get() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p"; }
getnum() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\\([0-9-]*\\).*/\\1/p"; }
matches() { printf '%s\n' "$1" | grep -Eq "$2"; }

# check <scheme> <case-line> <pastSec> <futureSec>: prints "valid <keyId> <id> <ts>" or "invalid <code>".
check() {
  scheme=$1 line=$2 past=$3 future=$4
  headers=$(printf '%s\n' "$line" | sed -n 's/.*"headers":\({[^}]*}\).*/\1/p')
  if [ "$scheme" = bulwark ]; then
    idh=bulwark-nonce tsh=bulwark-timestamp sigh=bulwark-signature
  elif [ -n "$(get "$headers" webhook-signature)" ] || [ -z "$(get "$headers" svix-signature)" ]; then
    idh=webhook-id tsh=webhook-timestamp sigh=webhook-signature
  else
    idh=svix-id tsh=svix-timestamp sigh=svix-signature
  fi
  ts=$(get "$headers" "$tsh") id=$(get "$headers" "$idh") sig=$(get "$headers" "$sigh")
  if [ -z "$ts" ] || [ -z "$id" ] || [ -z "$sig" ]; then echo "invalid webhook_header_missing"; return; fi
  matches "$ts" '^(0|[1-9][0-9]{0,9})$' || { echo "invalid webhook_timestamp_invalid"; return; }
  if [ "$scheme" = bulwark ]; then idre='^[A-Za-z0-9_-]{1,128}$'; else idre='^[!-~]{1,256}$'; fi
  matches "$id" "$idre" || { echo "invalid webhook_header_malformed"; return; }
  case "$sig" in " "* | *" " | *"  "*) echo "invalid webhook_header_malformed"; return ;; esac
  count=0 v1="" v1a=""
  for entry in $sig; do
    count=$((count + 1))
    if [ "$scheme" = bulwark ]; then
      matches "$entry" '^v[0-9][0-9a-z]{0,7}=[0-9A-Za-z+/=_-]{1,512}$' || { echo "invalid webhook_header_malformed"; return; }
      version=${entry%%=*} value=${entry#*=}
      [ "$version" = v1 ] || continue
      matches "$value" '^[0-9a-f]{64}$' || { echo "invalid webhook_header_malformed"; return; }
      v1="$v1 $value"
    else
      matches "$entry" '^v[0-9][0-9a-z]{0,7},[0-9A-Za-z+/=_-]{1,512}$' || { echo "invalid webhook_header_malformed"; return; }
      version=${entry%%,*} value=${entry#*,}
      case "$version" in
        v1) matches "$value" '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$' || { echo "invalid webhook_header_malformed"; return; }
            v1="$v1 $(b64d "$value" | hex)" ;;
        v1a) matches "$value" '^[A-Za-z0-9+/]{85}[AQgw]==$' || { echo "invalid webhook_header_malformed"; return; }
            v1a="$v1a $value" ;;
      esac
    fi
  done
  [ "$count" -le 16 ] || { echo "invalid webhook_header_malformed"; return; }
  now=$(getnum "$line" now)
  [ $((now - ts)) -le "$past" ] || { echo "invalid webhook_timestamp_too_old"; return; }
  [ $((ts - now)) -le "$future" ] || { echo "invalid webhook_timestamp_in_future"; return; }
  if [ "$scheme" = bulwark ]; then
    digest=$(openssl dgst -sha256 -binary <"$tmp/body" | hex)
    printf '%s.%s.%s' "$ts" "$id" "$digest" >"$tmp/content"
  else
    { printf '%s.%s.' "$id" "$ts"; cat "$tmp/body"; } >"$tmp/content"
  fi
  secrets=$(printf '%s\n' "$line" | sed -n 's/.*"secrets":\[\([^]]*\)\].*/\1/p' | grep -o '"id":"[^"]*","secret":"[^"]*"')
  for pair in $secrets; do
    kid=$(get "{$pair}" id) secret=$(get "{$pair}" secret)
    keyhex=$(b64d "${secret#whsec_}" | hex)
    mac=$(openssl dgst -sha256 -mac HMAC -macopt "hexkey:$keyhex" -binary <"$tmp/content" | hex)
    for candidate in $v1; do
      [ "$candidate" = "$mac" ] && { echo "valid $kid $id $ts"; return; }
    done
  done
  keys=$(printf '%s\n' "$line" | sed -n 's/.*"publicKeys":\[\([^]]*\)\].*/\1/p' | grep -o '"id":"[^"]*","key":"[^"]*"')
  for pair in $keys; do
    kid=$(get "{$pair}" id) key=$(get "{$pair}" key)
    printf -- '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA%s\n-----END PUBLIC KEY-----\n' "${key#whpk_}" >"$tmp/pub.pem"
    for candidate in $v1a; do
      b64d "$candidate" >"$tmp/sig"
      if openssl pkeyutl -verify -pubin -inkey "$tmp/pub.pem" -rawin -in "$tmp/content" -sigfile "$tmp/sig" >/dev/null 2>&1; then
        echo "valid $kid $id $ts"
        return
      fi
    done
  done
  echo "invalid webhook_signature_mismatch"
}

total=0 failed=0
for file in "$@"; do
  scheme=$(sed -n 's/^  "scheme": "\([a-z]*\)",$/\1/p' "$file")
  dpast=$(sed -n 's/^    "pastSec": \([0-9]*\),*$/\1/p' "$file")
  dfuture=$(sed -n 's/^    "futureSec": \([0-9]*\),*$/\1/p' "$file")
  grep '^    {"name":' "$file" >"$tmp/cases"
  while IFS= read -r line; do
    total=$((total + 1))
    name=$(get "$line" name)
    past=$(getnum "$line" pastSec) future=$(getnum "$line" futureSec)
    unit=$(printf '%s\n' "$line" | sed -n 's/.*"bodyRepeat":{"unit":"\([^"]*\)","count":\([0-9]*\)}.*/\1/p')
    if [ -n "$unit" ]; then
      n=$(printf '%s\n' "$line" | sed -n 's/.*"bodyRepeat":{"unit":"\([^"]*\)","count":\([0-9]*\)}.*/\2/p')
      awk -v u="$unit" -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%s", u }' >"$tmp/body"
    else
      b64d "$(get "$line" bodyBase64)" >"$tmp/body"
    fi
    got=$(check "$scheme" "$line" "${past:-$dpast}" "${future:-$dfuture}")
    expected=$(printf '%s\n' "$line" | sed -n 's/.*"expected":\({[^}]*}\).*/\1/p')
    case "$expected" in
      *'"valid":true'*) want="valid $(get "$expected" keyId) $(get "$expected" id) $(getnum "$expected" timestamp)" ;;
      *) want="invalid $(get "$expected" code)" ;;
    esac
    if [ "$got" != "$want" ]; then
      failed=$((failed + 1))
      echo "FAIL $(basename "$file"): $name: got '$got', expected '$want'"
    fi
  done <"$tmp/cases"
done
echo "$((total - failed))/$total vectors passed"
[ "$failed" -eq 0 ]
