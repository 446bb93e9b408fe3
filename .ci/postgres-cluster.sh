#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on a private port for the real-database test suite.
#   .ci/postgres-cluster.sh start   prints `export TEST_DATABASE_URL=... TEST_DATABASE_CA=...` last
#   .ci/postgres-cluster.sh stop
#   .ci/postgres-cluster.sh crash    stops the server at once, as a power cut would (the load suite's fault)
#   .ci/postgres-cluster.sh resume   starts it again on the same data (crash recovery runs)
# The tests connect as fte_app, a non-superuser application role (as in production), so the
# privilege checks on audit_log are real. pgvector is created by the superuser in template1, the way
# a managed provider makes it available.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
dir=${FTE_PG_DIR:-/tmp/fte-ci-postgres}
port=${FTE_PG_PORT:-54329}
password=fte_app_test_only

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
  tls="$dir/tls"
  as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB \
     -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key" \
    >/dev/null
}

case "${1:-}" in
  start)
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$pg_bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log"
    # TLS with a private CA, so a Neon-shaped URL (sslmode=require&channel_binding=require) is tested
    # against a real server: SCRAM-SHA-256-PLUS needs TLS.
    tls="$dir/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=fte test CA" \
      -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
      -CAcreateserial -days 2 -extfile "$tls/san.ext" -out "$tls/server.crt" 2>/dev/null
    chmod 600 "$tls/server.key"
    chmod 644 "$tls/ca.crt"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$tls"
    start_server
    psql="$pg_bin/psql -X -q -v ON_ERROR_STOP=1 -h $dir -p $port -U postgres"
    as_owner $psql -d postgres -c \
      "CREATE ROLE fte_app LOGIN PASSWORD '$password' CREATEDB NOSUPERUSER NOCREATEROLE;" \
      -c "CREATE DATABASE fte_test OWNER fte_app;"
    as_owner $psql -d template1 -c "CREATE EXTENSION vector;"
    as_owner $psql -d fte_test -c "CREATE EXTENSION vector;"
    echo "PostgreSQL 15 with pgvector on 127.0.0.1:$port (data in $dir)" >&2
    echo "export TEST_DATABASE_URL=postgres://fte_app:$password@127.0.0.1:$port/fte_test TEST_DATABASE_CA=$tls/ca.crt"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  crash)
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    start_server
    ;;
  *)
    echo "usage: $0 start|stop|crash|resume" >&2
    exit 2
    ;;
esac
