#!/usr/bin/env bash
# What one remote hop costs: hot.echo called in-process and in a process of its own, against a
# raw TCP round trip on loopback, measured in one run; prints the table and the hop's cost.
#
#   bench/hop.sh [seconds per case, default 10] [concurrent callers, default 1] [pause between a caller's calls in µs, default 0]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
. "$root/bench/build.sh"
exec "$JAVA_HOME/bin/java" -Djava.util.logging.SimpleFormatter.format='%1$tT %4$s %3$s: %5$s%6$s%n' \
  -cp "$nanolith_bench_lib/*" dev.nanolith.bench.HopBench "$@"
