#!/usr/bin/env bash
# Refreshes docs/console/*.png: runs the console's end-to-end test with screenshots kept there.
set -euo pipefail
cd "$(dirname "$0")/.."
WEBHOOKS_CONSOLE_SCREENSHOTS="$PWD/docs/console" dotnet test tests/Webhooks.Tests --filter "FullyQualifiedName~WebConsole.ConsoleTests.Operator_"
