#!/usr/bin/env bash
# PostgreSQL + PostGIS for the PostGIS store's tests and for trying it by hand (docs/store.md).
#
#   scripts/postgis.sh install            Debian's postgresql and postgis packages (apt-get; root)
#   scripts/postgis.sh bindir             where initdb/pg_ctl are (exit 1 when not installed)
#   scripts/postgis.sh start DIR PORT     a throwaway cluster in DIR/data on 127.0.0.1:PORT, trust
#                                         authentication for local connections only, and a
#                                         database "conflict_map" with the postgis extension;
#                                         prints its URL
#   scripts/postgis.sh stop DIR           stops it (the folder stays until you delete it)
#
# initdb refuses to run as root: as root, the cluster runs as the "postgres" user the Debian
# package creates, in a folder that user owns.
set -euo pipefail

packages=(postgresql postgis postgresql-15-postgis-3)

bindir() {
  local d
  for d in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      local share
      share="$("$d/pg_config" --sharedir 2>/dev/null || echo "${d%/bin}/../../share/postgresql/$(basename "${d%/bin}")")"
      if ls "$share"/extension/postgis.control >/dev/null 2>&1 \
          || ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
        echo "$d"
        return 0
      fi
    fi
  done
  return 1
}

as_owner() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install)
    if bindir >/dev/null; then exit 0; fi
    if [ "$(id -u)" != 0 ]; then
      echo "postgis.sh: PostgreSQL/PostGIS missing; run as root: $0 install" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}" >/dev/null
    bindir >/dev/null
    ;;
  bindir)
    bindir
    ;;
  start)
    dir="${2:?usage: postgis.sh start DIR PORT}"
    port="${3:?usage: postgis.sh start DIR PORT}"
    bin="$(bindir)" || { echo "postgis.sh: PostgreSQL/PostGIS not installed" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'conflict_map'" | grep -q 1; then
      "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE DATABASE conflict_map"
      "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d conflict_map \
        -c "CREATE EXTENSION IF NOT EXISTS postgis"
    fi
    echo "postgresql://postgres@127.0.0.1:$port/conflict_map"
    ;;
  stop)
    dir="${2:?usage: postgis.sh stop DIR}"
    bin="$(bindir)" || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
