#!/usr/bin/env bash
# The anti-pattern guard, measured in one run: the shop pushed as one process per function and
# driven with create-orders (the baseline), then its plan applied with no code change and the same
# load again; prints create-order's median before, after and as predicted, and the ratios.
#
#   bench/rightsizing.sh [seconds per round, default 20] [concurrency, default 4]
#
# One process per function starts 22 JVMs: on a 2-core machine that alone takes a minute.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
. "$root/bench/build.sh"
exec "$JAVA_HOME/bin/java" -Djava.util.logging.SimpleFormatter.format='%1$tT %4$s %3$s: %5$s%6$s%n' \
  -cp "$nanolith_bench_lib/*" dev.nanolith.bench.RightSizingBench "$root/examples/shop" "$@"
