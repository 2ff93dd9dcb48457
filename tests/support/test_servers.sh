#!/usr/bin/env bash
# test_servers.sh: throwaway PostgreSQL and MariaDB servers for the SQL tests (DESIGN.md 8).
#
#   test_servers.sh start BUILD_DIR      start both (stopping leftovers of an earlier run first),
#                                        create database ahvn_test and a password user in each,
#                                        write BUILD_DIR/test-servers/urls.env:
#                                          AHVN_TEST_PG_URL=postgresql://ahvn:...@127.0.0.1:P/ahvn_test
#                                          AHVN_TEST_MYSQL_URL=mysql://ahvn:...@127.0.0.1:P/ahvn_test
#   test_servers.sh stop BUILD_DIR       stop both and remove their temp dirs
#
# A separate PostgreSQL cluster (used by the server-loss test), kept in STATE_DIR:
#   test_servers.sh pg-create STATE_DIR  init + start + create database and user; STATE_DIR/url
#   test_servers.sh pg-stop STATE_DIR    stop it (data kept)
#   test_servers.sh pg-start STATE_DIR   start it again on the same port
#   test_servers.sh pg-destroy STATE_DIR stop it and remove everything
#
# Servers listen on 127.0.0.1 only, on free ports, with their data in /tmp/ahvn-{pg,maria}-*
# (PostgreSQL runs as user postgres, which it requires; mariadbd drops to user mysql). The user
# `ahvn` may create databases (tests make one per store), PostgreSQL: any; MariaDB: ahvn*.
# Durability is off (fsync=off): the data is thrown away. Needs root (runuser), python3.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
[[ -x $PG_BIN/initdb ]] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
DB_NAME=ahvn_test
DB_USER=ahvn

die() { echo "test_servers.sh: $*" >&2; exit 1; }
log() { echo "test_servers.sh: $*" >&2; }

# Runs a command as user postgres from / (it may not read the caller's directory).
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url_quote() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# A random password with characters that must be percent-encoded in a URL.
new_password() { echo "pw$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')@:/%"; }

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# Removes /tmp/ahvn-{pg,maria}-* dirs older than 10 minutes whose server is not running (left by
# killed runs). Dirs of running servers are left alone: another build may be using them.
clean_stale_dirs() {
  local dir pid
  for dir in $(find /tmp -maxdepth 1 \( -name 'ahvn-pg-*' -o -name 'ahvn-maria-*' \) -mmin +10 2>/dev/null); do
    pid=""
    [[ -f $dir/data/postmaster.pid ]] && pid=$(head -n 1 "$dir/data/postmaster.pid")
    [[ -f $dir/run/mysqld.pid ]] && pid=$(cat "$dir/run/mysqld.pid")
    pid_alive "$pid" || rm -rf "$dir"
  done
}

# -- PostgreSQL ---------------------------------------------------------------------------------

pg_start() { # STATE_DIR
  local state=$1 root port
  root=$(cat "$state/root")
  port=$(cat "$state/port")
  as_postgres "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/run/server.log" -w -t 60 -o \
    "-p $port -c listen_addresses=127.0.0.1 -k $root/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
}

pg_stop() { # STATE_DIR
  local root
  root=$(cat "$1/root")
  as_postgres "$PG_BIN/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null
}

pg_destroy() { # STATE_DIR
  local state=$1 root
  [[ -f $state/root ]] || { rm -rf "$state"; return 0; }
  root=$(cat "$state/root")
  if [[ -d $root/data ]] && as_postgres "$PG_BIN/pg_ctl" -D "$root/data" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$root/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
  [[ $root == /tmp/ahvn-pg-* ]] && rm -rf "$root"
  rm -rf "$state"
}

pg_create() { # STATE_DIR
  local state=$1 root password port attempt started=""
  pg_destroy "$state"
  mkdir -p "$state"
  root=$(mktemp -d /tmp/ahvn-pg-XXXXXX)
  chmod 755 "$root"
  echo "$root" >"$state/root"
  mkdir "$root/data" "$root/run"
  chown postgres:postgres "$root/data" "$root/run"
  chmod 700 "$root/data"
  as_postgres "$PG_BIN/initdb" -D "$root/data" -U postgres -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 -N >"$root/run/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$root/run/initdb.log")"
  for attempt in 1 2 3; do # a free port may be taken between the probe and the bind
    port=$(free_port)
    echo "$port" >"$state/port"
    if pg_start "$state"; then started=yes; break; fi
    log "PostgreSQL did not start on port $port (attempt $attempt)"
  done
  [[ -n $started ]] || die "PostgreSQL did not start: $(tail -n 5 "$root/run/server.log" 2>/dev/null)"
  password=$(new_password)
  as_postgres "$PG_BIN/psql" -h "$root/run" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null ||
    die "cannot create the PostgreSQL database and user"
  echo "postgresql://$DB_USER:$(url_quote "$password")@127.0.0.1:$port/$DB_NAME" >"$state/url"
}

# -- MariaDB ------------------------------------------------------------------------------------

maria_admin() { # ROOT ARGS...: the server's root account over its socket (unix_socket auth)
  local root=$1
  shift
  mariadb-admin --no-defaults --socket="$root/run/mysqld.sock" -uroot "$@"
}

maria_start() { # STATE_DIR
  local state=$1 root port i
  root=$(cat "$state/root")
  port=$(cat "$state/port")
  # Detached, every stream redirected: ctest must not wait for the server's output.
  setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$root/data" \
    --bind-address=127.0.0.1 --port="$port" --socket="$root/run/mysqld.sock" \
    --pid-file="$root/run/mysqld.pid" --log-error="$root/run/error.log" --skip-name-resolve \
    --skip-log-bin --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
    </dev/null >/dev/null 2>&1 &
  for i in $(seq 1 120); do
    maria_admin "$root" --connect-timeout=2 ping >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

maria_stop() { # STATE_DIR
  local state=$1 root pid i
  [[ -f $state/root ]] || return 0
  root=$(cat "$state/root")
  pid=$(cat "$root/run/mysqld.pid" 2>/dev/null || true)
  pid_alive "$pid" || return 0
  maria_admin "$root" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    pid_alive "$pid" || return 0
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
}

maria_destroy() { # STATE_DIR
  local state=$1 root
  [[ -f $state/root ]] || { rm -rf "$state"; return 0; }
  root=$(cat "$state/root")
  maria_stop "$state"
  [[ $root == /tmp/ahvn-maria-* ]] && rm -rf "$root"
  rm -rf "$state"
}

maria_create() { # STATE_DIR
  local state=$1 root password port attempt started=""
  maria_destroy "$state"
  mkdir -p "$state"
  root=$(mktemp -d /tmp/ahvn-maria-XXXXXX)
  chmod 755 "$root"
  echo "$root" >"$state/root"
  mkdir "$root/data" "$root/run"
  chown mysql:mysql "$root/data" "$root/run"
  mariadb-install-db --no-defaults --user=mysql --datadir="$root/data" --skip-test-db \
    --auth-root-authentication-method=socket >"$root/run/install.log" 2>&1 ||
    die "mariadb-install-db failed: $(tail -n 5 "$root/run/install.log")"
  for attempt in 1 2 3; do
    port=$(free_port)
    echo "$port" >"$state/port"
    if maria_start "$state"; then started=yes; break; fi
    log "MariaDB did not start on port $port (attempt $attempt)"
    maria_stop "$state"
  done
  [[ -n $started ]] || die "MariaDB did not start: $(tail -n 5 "$root/run/error.log" 2>/dev/null)"
  password=$(new_password)
  mariadb --no-defaults --socket="$root/run/mysqld.sock" -uroot -e \
    "CREATE DATABASE $DB_NAME; CREATE USER '$DB_USER'@'%' IDENTIFIED BY '$password';
     GRANT ALL PRIVILEGES ON \`ahvn%\`.* TO '$DB_USER'@'%';" ||
    die "cannot create the MariaDB database and user"
  echo "mysql://$DB_USER:$(url_quote "$password")@127.0.0.1:$port/$DB_NAME" >"$state/url"
}

# -- commands -----------------------------------------------------------------------------------

servers_stop() { # BUILD_DIR
  local dir=$1/test-servers
  rm -f "$dir/urls.env"
  pg_destroy "$dir/pg"
  maria_destroy "$dir/maria"
}

servers_start() { # BUILD_DIR
  local dir=$1/test-servers
  [[ $(id -u) == 0 ]] || die "must run as root (PostgreSQL runs as user postgres via runuser)"
  servers_stop "$1"
  clean_stale_dirs
  mkdir -p "$dir"
  pg_create "$dir/pg"
  maria_create "$dir/maria"
  {
    echo "AHVN_TEST_PG_URL=$(cat "$dir/pg/url")"
    echo "AHVN_TEST_MYSQL_URL=$(cat "$dir/maria/url")"
  } >"$dir/urls.env.tmp"
  mv "$dir/urls.env.tmp" "$dir/urls.env"
  log "PostgreSQL on port $(cat "$dir/pg/port"), MariaDB on port $(cat "$dir/maria/port"); URLs in $dir/urls.env"
}

[[ $# == 2 ]] || die "usage: test_servers.sh start|stop BUILD_DIR | pg-create|pg-start|pg-stop|pg-destroy STATE_DIR"
target=$(realpath -m "$2")
case $1 in
  start) servers_start "$target" ;;
  stop) servers_stop "$target" ;;
  pg-create) clean_stale_dirs; pg_create "$target" ;;
  pg-start) pg_start "$target" ;;
  pg-stop) pg_stop "$target" ;;
  pg-destroy) pg_destroy "$target" ;;
  *) die "unknown command '$1'" ;;
esac
