#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks. Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- Interop tests (tests/PaymentSwitch.Integration.Tests/InteropTests.cs) -----------------------------------
# The iso_8583 npm package, pinned in tests/interop/package.json and package-lock.json, drives the switch from
# an independent ISO 8583 implementation. Installed only when tests/interop/node_modules is missing or an earlier
# install did not finish (npm writes node_modules/.package-lock.json last; `npm ci` starts by deleting
# node_modules). node_modules is not committed (.gitignore). Needs node and npm; `npm ci` reaches the npm registry.
if [ ! -f tests/interop/node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "tests/setup.sh: npm not found; install Node.js (with npm) for the interop tests" >&2
    exit 1
  fi
  (cd tests/interop && npm ci --no-audit --no-fund)
fi

# --- Dashboard browser test (tests/PaymentSwitch.Integration.Tests/DashboardBrowserTests.cs) -----------------
# The dashboard is checked in a real headless browser: Debian's chromium package, driven over the DevTools
# protocol from the test itself (no npm packages needed). Installed only when /usr/bin/chromium is missing; the
# package index is refreshed once, right before the install. Runs as root in CI (apt-get needs it).
if [ ! -x /usr/bin/chromium ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests/setup.sh: /usr/bin/chromium is missing and apt-get is not available; install Chromium for the dashboard test" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
