# Sourced by run.sh and test.sh: find the PostgreSQL binaries (installing Debian's package when they are
# missing) and start a cluster of our own. initdb and postgres refuse to run as root, so as root they run
# as the postgres user, and the cluster lives outside /root, where that user can reach it.

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_ensure_binaries() {
  if [ -z "$(pg_bindir)" ] || [ ! -x "$(pg_bindir)/initdb" ]; then
    echo "PostgreSQL binaries not found: installing Debian's postgresql package..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2 \
      || { echo "Could not install PostgreSQL (apt-get install -y postgresql)." >&2; return 1; }
  fi
}

# pg_as_owner CMD ARGS...: run a server binary as the cluster owner.
pg_as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_free_port START: the first TCP port from START that nothing listens on.
pg_free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# pg_start_cluster DIR PORT [extra server options]: initdb DIR when empty, then start it on 127.0.0.1:PORT.
pg_start_cluster() {
  local dir=$1 port=$2; shift 2
  local bin; bin=$(pg_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  pg_as_owner mkdir -p "$dir/socket"
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 $*" start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2; return 1; }
}

# pg_start_test_cluster DIR [FIRST_PORT]: a throwaway cluster for tests in DIR (a new, empty directory outside
# /root) on the first free port from FIRST_PORT, tuned for speed over safety (fsync off: its data may be lost, which
# is what a test cluster is for). Prints the port. test.sh and the test fixture (PostgresServer.cs) both use it.
pg_start_test_cluster() {
  local dir=$1 port; port=$(pg_free_port "${2:-55432}")
  chmod 755 "$dir"
  pg_start_cluster "$dir" "$port" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 >&2 || return 1
  echo "$port"
}

# pg_start_standby PRIMARY_PORT DIR [FIRST_PORT]: a streaming replica of the cluster on 127.0.0.1:PRIMARY_PORT, in DIR
# (a new, empty directory outside /root): pg_basebackup -R copies the primary and makes DIR/data a standby that follows
# its WAL; it serves reads (hot standby) on the first free port from FIRST_PORT. Prints the port.
pg_start_standby() {
  local primary=$1 dir=$2 port; port=$(pg_free_port "${3:-57432}")
  local bin; bin=$(pg_bindir)
  mkdir -p "$dir"; chmod 755 "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
  pg_as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log" >&2; return 1; }
  pg_as_owner mkdir -p "$dir/socket"
  # A standby may not have fewer connections than its primary.
  local connections; connections=$("$bin/psql" -At -h 127.0.0.1 -p "$primary" -U postgres -d postgres -c 'SHOW max_connections') || return 1
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=$connections" start >/dev/null \
    || { tail -n 20 "$dir/server.log" >&2; return 1; }
  echo "$port"
}

# pg_ensure_pgbouncer: Debian's pgbouncer package, installed when missing (the pooler tests use it).
pg_ensure_pgbouncer() {
  if [ ! -x /usr/sbin/pgbouncer ]; then
    echo "pgbouncer not found: installing Debian's pgbouncer package..." >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq pgbouncer >&2 || { apt-get update -qq >&2 && apt-get install -y -qq pgbouncer >&2; }; } \
      || { echo "Could not install pgbouncer (apt-get install -y pgbouncer)." >&2; return 1; }
  fi
}

# pg_start_pgbouncer DIR TARGET_PORT DATABASE [FIRST_PORT]: PgBouncer in transaction mode in DIR, in front of
# 127.0.0.1:TARGET_PORT's DATABASE, with the settings docs/scaling.md recommends (the startup option that carries the
# city zone ignored: the database carries it). Prints the port it listens on.
pg_start_pgbouncer() {
  local dir=$1 target=$2 database=$3 port; port=$(pg_free_port "${4:-58432}")
  mkdir -p "$dir"; chmod 755 "$dir"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
$database = host=127.0.0.1 port=$target dbname=$database
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 20
max_client_conn = 400
ignore_startup_parameters = options,extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  echo '"postgres" ""' >"$dir/users.txt"
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir/pgbouncer.ini" "$dir/users.txt"; fi
  local attempt
  for attempt in 1 2 3; do
    sed -i "s/^listen_port = .*/listen_port = $port/" "$dir/pgbouncer.ini"
    if pg_as_owner /usr/sbin/pgbouncer -d "$dir/pgbouncer.ini" >"$dir/start.log" 2>&1; then
      for _ in $(seq 1 100); do
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "$port"; return 0; }
        # The daemon writes its pidfile a moment after -d returns: only a pidfile whose process is gone means it died.
        if [ -f "$dir/pgbouncer.pid" ] && ! kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then break; fi
        sleep 0.1
      done
    fi
    # Nothing answered: stop whatever this attempt left running, so the next attempt's pidfile is free.
    pg_stop_pgbouncer "$dir"; sleep 0.2; rm -f "$dir/pgbouncer.pid"
    port=$(pg_free_port $((port + 1)))  # the port was taken in the meantime (e.g. by an outgoing connection): the next one
  done
  cat "$dir/start.log" "$dir/pgbouncer.log" >&2; return 1
}

pg_stop_pgbouncer() {
  local dir=$1
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
}

pg_stop_cluster() {
  local dir=$1
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_is_running() {
  local dir=$1
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}
