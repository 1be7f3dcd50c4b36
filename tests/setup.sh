#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks. Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
