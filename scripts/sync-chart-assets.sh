#!/usr/bin/env bash
# Copies the observability assets the Helm chart ships into charts/parley/files/, because Helm
# can only read files inside the chart directory:
#   observability/prometheus/rules/*.yaml     -> charts/parley/files/prometheus-rules/
#   observability/grafana/dashboards/*.json   -> charts/parley/files/grafana-dashboards/
# Stale copies are removed. With --check nothing is written: it exits 1 when a copy differs
# from its source, is missing, or has no source (`npm run check` runs it that way).
# Usage: scripts/sync-chart-assets.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
if [ -n "$mode" ] && [ "$mode" != "--check" ]; then
  echo "usage: scripts/sync-chart-assets.sh [--check]" >&2
  exit 2
fi
stale=0

check_dir() {
  local source_dir="$1" pattern="$2" target_dir="$3" file
  while IFS= read -r -d '' file; do
    if ! cmp -s "$file" "$target_dir/$(basename "$file")"; then
      echo "out of date: $target_dir/$(basename "$file")" >&2
      stale=1
    fi
  done < <(find "$source_dir" -maxdepth 1 -type f -name "$pattern" -print0 2>/dev/null)
  while IFS= read -r -d '' file; do
    if [ ! -f "$source_dir/$(basename "$file")" ]; then
      echo "no source: $file" >&2
      stale=1
    fi
  done < <(find "$target_dir" -maxdepth 1 -type f -name "$pattern" -print0 2>/dev/null)
}

sync_dir() {
  local source_dir="$1" pattern="$2" target_dir="$3"
  if [ "$mode" = "--check" ]; then
    check_dir "$source_dir" "$pattern" "$target_dir"
    return
  fi
  mkdir -p "$target_dir"
  find "$target_dir" -maxdepth 1 -type f -name "$pattern" -delete
  if [ -d "$source_dir" ]; then
    find "$source_dir" -maxdepth 1 -type f -name "$pattern" -exec cp {} "$target_dir/" \;
  fi
  # Keep the directory in git even when there is nothing to copy yet.
  touch "$target_dir/.gitkeep"
  echo "synced $source_dir/$pattern -> $target_dir ($(find "$target_dir" -maxdepth 1 -type f -name "$pattern" | wc -l) files)"
}

sync_dir observability/prometheus/rules '*.yaml' charts/parley/files/prometheus-rules
sync_dir observability/grafana/dashboards '*.json' charts/parley/files/grafana-dashboards

if [ "$mode" = "--check" ]; then
  if [ "$stale" -ne 0 ]; then
    echo "the chart's copies of the observability assets are out of date: run scripts/sync-chart-assets.sh" >&2
    exit 1
  fi
  echo "the chart's observability assets match their sources"
fi
