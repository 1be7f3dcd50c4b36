#!/usr/bin/env bash
# The project's one test command: sets up what the tests need on a fresh machine, then runs every test.
#   ./test.sh            all tests
#   ./test.sh --filter X passes extra arguments to `dotnet test`
set -euo pipefail
cd "$(dirname "$0")"

bash tests/setup.sh

dotnet build PaymentSwitch.sln -c Release -nologo -clp:ErrorsOnly
dotnet test PaymentSwitch.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --results-directory artifacts/test-results "$@"
