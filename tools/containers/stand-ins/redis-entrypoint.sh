#!/bin/sh
# The official image's contract: a first argument that is a config file or an option runs redis-server.
set -e
case "${1:-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
exec "$@"
