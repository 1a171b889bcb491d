#!/usr/bin/env bash
# PostgreSQL + PostGIS for the PostGIS store's tests and for trying it by hand (docs/store.md).
#
#   scripts/postgis.sh install            Debian's postgresql and postgis packages (apt-get; root)
#   scripts/postgis.sh ensure             the same when root, else only a warning (make test)
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

bindir() {  # the newest server whose PostGIS extension is installed
  local d ver share
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV) \
           "$(pg_config --bindir 2>/dev/null || true)"; do
    { [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; } || continue
    ver="$(basename "$(dirname "$d")")"
    for share in "/usr/share/postgresql/$ver" "$("$d/pg_config" --sharedir 2>/dev/null || true)"; do
      if [ -n "$share" ] && [ -f "$share/extension/postgis.control" ]; then
        echo "$d"
        return 0
      fi
    done
  done
  return 1
}

as_owner() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install|ensure)
    if bindir >/dev/null; then exit 0; fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      msg="PostgreSQL/PostGIS are not installed: install Debian's postgresql and postgis packages (as root: $0 install)"
      if [ "$1" = ensure ]; then echo "$msg (the PostGIS store tests will be skipped)" >&2; exit 0; fi
      echo "$msg" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql postgis >/dev/null
    # the extension of the server version just installed (postgresql-15-postgis-3 on Debian 12)
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "postgresql-$version-postgis-3" >/dev/null
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
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
