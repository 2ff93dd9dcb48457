#!/usr/bin/env bash
# Fails (and names the files) when a tracked .cpp or .hpp file is not formatted by the repo's
# .clang-format. Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror; then
  echo "check_format: the files above are not clang-formatted; run" >&2
  echo "  git ls-files '*.cpp' '*.hpp' | xargs clang-format -i" >&2
  exit 1
fi
echo "check_format: every .cpp and .hpp file is formatted"
