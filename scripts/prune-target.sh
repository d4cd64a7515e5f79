# Sourced by .ci/run: keeps the cached target directory from filling the disk (it did, twice).
# Every run rebuilds the workspace crates under new hashes whenever a dependency changes, and the
# old binaries (~500 MB each) would stay forever. After a run, a file in deps/ that this run did
# not write is removed when the run wrote a newer file for the same crate; anything the run reused
# stays. A cache grown past the cap anyway is dropped before the build.

target_cap_gb=${YUNWEI_CI_TARGET_CAP_GB:-25}

target_prepare() {
  TARGET_STAMP=$(mktemp)
  local used
  used=$(du -s --block-size=1G "$CARGO_TARGET_DIR" 2>/dev/null | cut -f1)
  if [ "${used:-0}" -gt "$target_cap_gb" ]; then
    echo "the cached target directory holds ${used} GB (cap ${target_cap_gb}): starting it afresh"
    rm -rf "$CARGO_TARGET_DIR"
    mkdir -p "$CARGO_TARGET_DIR"
  fi
}

target_prune() {
  [ -n "${TARGET_STAMP:-}" ] || return 0
  local deps="$CARGO_TARGET_DIR/debug/deps"
  if [ -d "$deps" ]; then
    {
      find "$deps" -maxdepth 1 -type f -newer "$TARGET_STAMP" -printf 'new %f\n'
      find "$deps" -maxdepth 1 -type f ! -newer "$TARGET_STAMP" -printf 'old %f\n'
    } | awk '{
          stem = $2; sub(/-[0-9a-f]+(\.[a-z]+)?$/, "", stem)
          if ($1 == "new") fresh[stem] = 1; else old[$2] = stem
        }
        END { for (f in old) if (old[f] in fresh) print f }' \
      | (cd "$deps" && xargs -r rm -f)
  fi
  rm -f "$TARGET_STAMP"
}
