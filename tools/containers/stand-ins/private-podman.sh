#!/usr/bin/env bash
# Creates a private podman configuration under <dir> and prints the environment that selects
# it (source the output): its own containers.conf (runtime runc, ulimits within this machine's
# hard limits), storage.conf (graphroot, runroot), runc state root, temporary and network
# directories, and a `podman` wrapper in <dir>/bin that passes the runc root. Nothing outside
# <dir> is read or written by podman; removing <dir> after `podman system reset` leaves no trace.
#
# Usage: eval "$(private-podman.sh <dir>)"
set -euo pipefail
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
mkdir -p "$dir"/{bin,tmp,storage,run,runc,networks,cni}
nofile="$(ulimit -Hn)"
cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp/libpod"
static_dir = "$dir/storage/libpod"
volume_path = "$dir/storage/volumes"
image_copy_tmp_dir = "$dir/tmp"
[network]
network_config_dir = "$dir/networks"
cni_plugin_dirs = ["/usr/lib/cni"]
CONF
cat >"$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
cat >"$dir/bin/podman" <<WRAP
#!/bin/sh
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" TMPDIR="$dir/tmp"
exec /usr/bin/podman --runtime-flag "root=$dir/runc" "\$@"
WRAP
chmod +x "$dir/bin/podman"
printf 'export CONTAINERS_CONF=%q CONTAINERS_STORAGE_CONF=%q TMPDIR=%q PATH=%q\n' \
  "$dir/containers.conf" "$dir/storage.conf" "$dir/tmp" "$dir/bin:$PATH"
