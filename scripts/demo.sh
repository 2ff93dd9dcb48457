#!/usr/bin/env bash
# The main job: sets up the machine, builds, and runs the demo (arguments go to the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/apps/demo "$@"
