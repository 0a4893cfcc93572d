#!/usr/bin/env bash
# Installs what `make test` needs beyond Go, when missing: the Debian packages
# the end-to-end tests run for real, a C toolchain for `go test -race` (the
# race detector needs cgo), SciPy, the independent implementation the drift
# distances are checked against, and chromium, the headless browser the status
# page's end-to-end test loads the pages in.
set -euo pipefail
need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The Debian interpreter is the one python3-scipy serves, whatever python3 a
# developer's PATH finds first; the drift test looks there too.
/usr/bin/python3 -c 'import scipy' >/dev/null 2>&1 || need+=(python3-scipy)
command -v prometheus-alertmanager >/dev/null 2>&1 || [ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "need root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  # The packages start system services; the tests run their own instances on
  # free ports. Only services installed just now are stopped: a developer's
  # own Redis stays up.
  for s in redis-server prometheus-alertmanager; do
    case " ${need[*]} " in *" $s "*) (systemctl stop "$s" || service "$s" stop) >/dev/null 2>&1 || true ;; esac
  done
fi
