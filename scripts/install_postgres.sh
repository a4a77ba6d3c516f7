#!/usr/bin/env bash
# Debian's PostgreSQL server for the shared-store tests (tests/test_postgres.py start their own
# throwaway server with initdb on a free port; nothing here starts a service). Skipped with a
# note where apt or root is unavailable: those tests then skip and say why.
set -u
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null) \
    || echo "warning: could not install postgresql; the PostgreSQL tests will be skipped" >&2
else
  echo "note: postgresql not installed (needs root + apt); the PostgreSQL tests will be skipped" >&2
fi
exit 0
