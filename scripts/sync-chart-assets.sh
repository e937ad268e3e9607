#!/usr/bin/env bash
# Copies the observability assets the Helm chart ships into charts/parley/files/, because Helm
# can only read files inside the chart directory:
#   observability/prometheus/rules/*.yaml     -> charts/parley/files/prometheus-rules/
#   observability/grafana/dashboards/*.json   -> charts/parley/files/grafana-dashboards/
# Stale copies are removed. tools/chart-tests fails when the copies differ from the sources.
# Usage: scripts/sync-chart-assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."

sync_dir() {
  local source_dir="$1" pattern="$2" target_dir="$3"
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
