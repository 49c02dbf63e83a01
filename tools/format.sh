#!/usr/bin/env bash
# clang-format 14 (.clang-format) over src/ test/ bench/ and tools/*.cc, or over the files given.
#   tools/format.sh            rewrite the files in place
#   tools/format.sh --check    change nothing; list what differs and exit 1 if anything does
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

check=0
if [[ ${1:-} == --check ]]; then
  check=1
  shift
fi

clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z $clang_format ]]; then
  echo "format.sh: clang-format not found (tools/install_deps.sh installs it)" >&2
  exit 1
fi

files=("$@")
if ((${#files[@]} == 0)); then
  mapfile -t files < <(
    find src test bench -type d \( -name node_modules -o -name corpus \) -prune -o \
      -type f \( -name '*.h' -o -name '*.cc' -o -name '*.hpp' -o -name '*.cpp' \) -print 2>/dev/null
    find tools -maxdepth 1 -type f -name '*.cc' 2>/dev/null
  )
fi
if ((${#files[@]} == 0)); then
  echo "format.sh: no C++ file to format"
  exit 0
fi
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort)

if ((check)); then
  # One line per file that differs, not clang-format's report of every line.
  differ=$("$clang_format" --dry-run "${files[@]}" 2>&1 |
    sed -nE 's/^(.+):[0-9]+:[0-9]+: (warning|error): code should be clang-formatted.*/\1/p' | sort -u)
  if [[ -n $differ ]]; then
    echo "$differ" | sed 's/^/not formatted: /'
    echo "format.sh: $(echo "$differ" | wc -l) of ${#files[@]} files differ from .clang-format;" \
      "run tools/format.sh" >&2
    exit 1
  fi
  echo "format.sh: ${#files[@]} files formatted"
else
  "$clang_format" -i "${files[@]}"
fi
