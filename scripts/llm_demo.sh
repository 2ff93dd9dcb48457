#!/usr/bin/env bash
# The LLM example: sets up the machine, builds llm_demo and runs it (arguments go to llm_demo).
# Without OPENAI_BASE_URL it starts the stub server on loopback: no internet needed. With it (and
# OPENAI_API_KEY, OPENAI_MODEL) it asks that OpenAI-compatible server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build_dir=${BUILD_DIR:-build}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build_dir" --target llm_demo
exec "./$build_dir/apps/llm_demo" "$@"
