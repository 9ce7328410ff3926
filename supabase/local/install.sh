#!/usr/bin/env bash
# Installs the local stack's parts when they are missing; a no-op when everything is present.
# Deno is pinned and comes from the npm package `deno` (the binary ships inside it); the rest are
# Debian packages. Needs root (or sudo) only the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
DENO_VERSION="2.9.6"
DEBIAN_PACKAGES=(postgresql-15 postgresql-15-cron postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl redis-server chromium)
# The dashboard's browser libraries, served from their npm packages (never a CDN); supabase-js matches
# deno.json's pin. Browser tests drive Debian's chromium (above) with playwright-core, no browser download.
DASHBOARD_VENDOR=("@supabase/supabase-js@2.119.1:package/dist/umd/supabase.js:supabase.js" "chart.js@4.6.1:package/dist/chart.umd.min.js:chart.umd.min.js")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Extensions as Supabase offers them (see supabase/local/extensions/): pg_net becomes a real
# installable extension (control file and SQL script), and pg_cron is marked trusted per version
# through secondary control files, so the non-superuser postgres role creates both with
# `create extension`, as supautils lets it on the platform. Rewritten only when they differ.
extension_dir=/usr/share/postgresql/15/extension
if [ -d "$extension_dir" ]; then
  install_if_changed() { cmp -s "$1" "$2" || as_root install -m 0644 "$1" "$2"; }
  for file in supabase/local/extensions/*.control supabase/local/extensions/*.sql; do
    case "$file" in *.trusted.control) continue ;; esac
    install_if_changed "$file" "$extension_dir/$(basename "$file")"
  done
  for script in "$extension_dir"/pg_cron--*.sql; do
    [ -e "$script" ] || continue
    version="$(basename "$script" .sql)"
    version="${version##*--}"
    install_if_changed supabase/local/extensions/pg_cron.trusted.control "$extension_dir/pg_cron--$version.control"
  done
fi

if [ "$(.tools/node_modules/.bin/deno --version 2>/dev/null | head -1 | awk '{print $2}')" != "$DENO_VERSION" ]; then
  echo "installing deno $DENO_VERSION from npm" >&2
  mkdir -p .tools
  npm install --silent --no-save --no-audit --no-fund --prefix .tools "deno@$DENO_VERSION" >&2
fi

# The stack's ports (BASE_PORTS in supabase/local/stack.ts, shifted by 100 per PB_INSTANCE 0-9: up to
# 55241) may sit inside Linux's ephemeral range: keep outgoing connections off them, where the kernel
# lets us (tests/unit/platform/ports.test.ts checks these ranges against the table).
if [ -w /proc/sys/net/ipv4/ip_local_reserved_ports ]; then
  echo "8079-9100,54300-55300" > /proc/sys/net/ipv4/ip_local_reserved_ports 2>/dev/null || true
fi

mkdir -p dashboard/vendor
for entry in "${DASHBOARD_VENDOR[@]}"; do
  IFS=: read -r spec inner target <<< "$entry"
  stamp="dashboard/vendor/.${target}.version"
  if [ ! -f "dashboard/vendor/$target" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$spec" ]; then
    echo "fetching $spec for the dashboard" >&2
    scratch="$(mktemp -d)"
    tarball="$(cd "$scratch" && npm pack --silent "$spec")"
    tar -xzf "$scratch/$tarball" -C "$scratch" "$inner"
    cp "$scratch/$inner" "dashboard/vendor/$target"
    echo "$spec" > "$stamp"
    rm -rf "$scratch"
  fi
done
