#!/usr/bin/env bash
# Builds and installs Citus 13.2.2 into Debian's PostgreSQL 15, for the tests of the scale-out path
# (tests/citus/, docs/scale-out.md). Users of the starter run the citusdata/citus images instead.
# citus-13.2.2.tar.gz is the source of citusdata/citus at tag v13.2.2 (AGPL-3.0), unmodified
# (sha256 c8fc76dc8294636a52b1a0dd75a20d8b4a36937df6443e30ca84d8d0464a6bb9); the patch removes a function
# that PostgreSQL 15.20 now exports itself. Needs root (apt). Idempotent: does nothing once installed.
# About 4 minutes on 2 cores, plus the apt packages. .ci/run calls it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pg_config=/usr/lib/postgresql/15/bin/pg_config
if [ -f /usr/lib/postgresql/15/lib/citus.so ] && [ -f /usr/share/postgresql/15/extension/citus.control ]; then
  echo "citus already installed for PostgreSQL 15"; exit 0
fi
echo "c8fc76dc8294636a52b1a0dd75a20d8b4a36937df6443e30ca84d8d0464a6bb9  $here/citus-13.2.2.tar.gz" | sha256sum -c --quiet
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql-15 postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev libzstd-dev \
  libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$here/citus-13.2.2.tar.gz" -C "$work"
cd "$work/citus-13.2.2"
if grep -q "extern bool have_createdb_privilege" /usr/include/postgresql/15/server/commands/dbcommands.h; then
  patch -p1 -s < "$here/pg15.20-have-createdb-privilege.patch"
fi
./configure PG_CONFIG="$pg_config" >/dev/null
make -s -j"$(nproc)" >/dev/null
make -s install >/dev/null
echo "citus 13.2.2 installed for $($pg_config --version)"
