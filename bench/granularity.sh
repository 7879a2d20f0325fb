#!/usr/bin/env bash
# The shop's create-order as plain Java (the floor), as one process, as its three services and
# as one process per function, measured in one run; prints one table with the ratios.
#
#   bench/granularity.sh [seconds per placement, default 15] [concurrency, default 8] [modes, default monolith,services,nano]
#
# nano starts 22 JVMs: on a 2-core machine that alone takes a minute or two.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
. "$root/bench/build.sh"
exec "$JAVA_HOME/bin/java" -Djava.util.logging.SimpleFormatter.format='%1$tT %4$s %3$s: %5$s%6$s%n' \
  -cp "$nanolith_bench_lib/*" dev.nanolith.bench.GranularityBench "$root/examples/shop" "$@"
