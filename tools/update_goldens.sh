#!/usr/bin/env bash
# Rewrites the golden files of test/data/ from the current code (config: x.yaml -> x.diag;
# translate: x.yaml -> x.ir.json and x.diag), then shows what changed. Review that diff like
# code and commit it with the change that caused it.
#   tools/update_goldens.sh    builds config_test and translate_test in build/ when needed
# MESHGATE_BUILD_DIR picks another build directory, MESHGATE_JOBS the parallel jobs (2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${MESHGATE_BUILD_DIR:-build}
jobs=${MESHGATE_JOBS:-2}
targets=(config_test translate_test)

# The golden cases ctest knows, and the ones test/data holds, as "<Suite> <case>" lines.
listed_cases() {
  ctest --test-dir "$build_dir" -N -R Golden |
    sed -nE 's#.*Cases/(Config|Translate)GoldenTest[.][A-Za-z]+/([^ ]+).*#\1 \2#p' | sort
}
wanted_cases() {
  local suite file
  for suite in config translate; do
    for file in test/data/"$suite"/*.yaml; do
      [[ -e $file ]] && echo "${suite^} $(basename "$file" .yaml)"
    done
  done | sort
}

if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S . -B "$build_dir" -G Ninja
fi
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"

# gtest_discover_tests lists the cases when a test binary is linked, so ctest does not know a
# case whose x.yaml was added (or removed) since. Relinking lists them again.
if [[ $(listed_cases) != "$(wanted_cases)" ]]; then
  echo "update_goldens.sh: golden cases changed since the last link; relinking ${targets[*]}"
  for target in "${targets[@]}"; do
    find "$build_dir" -type f -name "$target" -perm -u+x -delete
  done
  cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
  if [[ $(listed_cases) != "$(wanted_cases)" ]]; then
    echo "update_goldens.sh: ctest in $build_dir does not list every case of test/data:" >&2
    diff <(listed_cases) <(wanted_cases) >&2 || true
    exit 1
  fi
fi

status=0
MESHGATE_UPDATE_GOLDENS=1 ctest --test-dir "$build_dir" -R Golden --output-on-failure -j "$jobs" ||
  status=$?

echo
echo "==== golden changes to review (git diff --stat test/data):"
if git diff --quiet -- test/data; then
  echo "  (no change)"
else
  git diff --stat -- test/data
fi
new_files=$(git ls-files --others --exclude-standard -- test/data)
if [[ -n $new_files ]]; then
  echo "new files, not yet added:"
  echo "$new_files" | sed 's/^/  /'
fi
if ((status != 0)); then
  echo "update_goldens.sh: some golden tests failed (see above); their files may be stale" >&2
fi
exit "$status"
