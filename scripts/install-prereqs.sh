#!/usr/bin/env bash
# Installs what Tideline needs on a fresh Debian 12 machine, and only what is missing:
# a JDK 17, Maven, PostgreSQL 15 server binaries, zstd, and Chromium with its driver and NSS's certutil (the Backups view's
# browser test drives Debian's own, never a downloaded one). Used by ./tideline and .ci/run.
# Without root it prints the exact command to run instead.
set -euo pipefail

PG_BIN=${TIDELINE_PG_BIN:-/usr/lib/postgresql/15/bin}
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_basebackup" ]] || missing+=(postgresql-15 postgresql-client-15)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
# certutil: the browser test puts the Tideline CA into Chromium's NSS database (HTTPS is checked, never ignored)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
id postgres >/dev/null 2>&1 || missing+=(postgresql-15)

if ((${#missing[@]} == 0)); then
  exit 0
fi
# De-duplicate while keeping order.
readarray -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')

if [[ $(id -u) -ne 0 ]]; then
  echo "tideline: missing prerequisites. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "tideline: installing prerequisites: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
# The Debian package starts a cluster of its own on port 5432; Tideline never uses it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | awk '$4=="online"{print $1" "$2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done
fi
