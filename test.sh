#!/usr/bin/env bash
# The project's one test command: sets up what the tests need on a fresh machine, then runs every test.
#   ./test.sh            all tests
#   ./test.sh --filter X passes extra arguments to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")"

bash tests/setup.sh

dotnet build PaymentSwitch.sln -c Release -nologo -clp:ErrorsOnly
mkdir -p artifacts
status=0
dotnet test PaymentSwitch.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --results-directory artifacts/test-results "$@" 2>&1 | tee artifacts/test-output.log || status=$?

# One closing line over every test project: "N passed, N failed".
passed=$( (grep -E '^\s+Passed:\s+[0-9]+' artifacts/test-output.log || true) | awk '{s+=$2} END {print s+0}')
failed=$( (grep -E '^\s+Failed:\s+[0-9]+' artifacts/test-output.log || true) | awk '{s+=$2} END {print s+0}')
# Repeat each failure (name, message, first lines of the stack) at the end, where a CI log's tail shows it.
if [ "$failed" -ne 0 ]; then
  echo "---- failed tests ----"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {show=1; n=0}
       /^[[:space:]]+(Passed|Skipped) [A-Za-z]/ {show=0}
       show && n < 40 {print; n++}' artifacts/test-output.log
  echo "----------------------"
fi
echo "${passed} passed, ${failed} failed"
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
