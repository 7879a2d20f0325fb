#!/usr/bin/env bash
# The hot-path benchmark: one local call through the whole pipeline against a direct Java call
# doing the same work, with JMH. Prints baseline, pipeline, overhead and ratio (mean and median).
# Arguments go to JMH and replace the matching defaults: bench/jmh.sh -i 10 -prof gc
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
. "$root/bench/build.sh"

# Modest defaults for a small, shared machine; any of them given as an argument wins.
declare -A defaults=([-f]=1 [-wi]=3 [-w]=2s [-i]=5 [-r]=2s)
for arg in "$@"; do
  if [ -n "${defaults[$arg]+set}" ]; then unset "defaults[$arg]"; fi
done
settings=()
for flag in "${!defaults[@]}"; do settings+=("$flag" "${defaults[$flag]}"); done

result="$root/bench/target/jmh-result.json"
rm -f "$result"
"$JAVA_HOME/bin/java" -cp "$nanolith_bench_lib/*" org.openjdk.jmh.Main \
  "${settings[@]}" "$@" -rf json -rff "$result"

[ -s "$result" ] || { echo "bench: JMH wrote no results to $result" >&2; exit 1; }
exec python3 "$root/bench/jmh_summary.py" "$result"
