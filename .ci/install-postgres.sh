#!/usr/bin/env bash
# Installs PostgreSQL 15 and builds pgvector from Debian's source package, once per machine.
# Debian bookworm has no pgvector binary for PostgreSQL 15, but trixie's source package builds against it.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
if [ -x "$pg_bin/postgres" ] && [ -f /usr/share/postgresql/15/extension/vector.control ] \
  && [ -f /usr/lib/postgresql/15/lib/vector.so ]; then
  echo "install-postgres: PostgreSQL 15 with pgvector already present"
  exit 0
fi

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

# The same Debian mirror the machine already uses, for trixie's source packages.
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  echo "install-postgres: cannot find the machine's Debian mirror in its apt sources" >&2
  exit 1
fi
src_list=/etc/apt/sources.list.d/fte-trixie-src.sources
$sudo tee "$src_list" >/dev/null <<SRC
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
trap '$sudo rm -f "$src_list"' EXIT

$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
  postgresql-15 postgresql-server-dev-15 build-essential dpkg-dev >/dev/null

work=$(mktemp -d)
chmod 755 "$work" # apt fetches sources as its own _apt user
(
  cd "$work"
  [ "$(id -u)" = 0 ] && chown _apt "$work" 2>/dev/null || true
  apt-get source -qq --download-only pgvector
  dpkg-source -x --no-check ./pgvector_*.dsc pgvector >/dev/null
  cd pgvector
  make -s PG_CONFIG="$pg_bin/pg_config" OPTFLAGS="" >/dev/null
  $sudo make -s PG_CONFIG="$pg_bin/pg_config" install >/dev/null
)
rm -rf "$work"
echo "install-postgres: PostgreSQL 15 with pgvector installed"
