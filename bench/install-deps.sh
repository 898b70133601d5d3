#!/usr/bin/env bash
# The Debian packages the benchmark (bench/) needs, installed when missing.
exec bash "$(dirname "$0")/../tools/install-deps.sh" bench
