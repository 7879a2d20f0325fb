# Builds the benchmarks when they are missing or older than the sources they run; sourced by
# jmh.sh and http.sh after bin/jdk.sh. Set NANOLITH_BENCH_BUILD=never to skip, always to force.
nanolith_bench_lib="$root/bench/target/lib"

nanolith_bench_stale() {
  [ -f "$nanolith_bench_lib/bench.jar" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root/api" "$root/runtime" "$root/testing" "$root/worker" "$root/gateway" "$root/observe" "$root/audit" "$root/deploy" "$root/dashboard" "$root/cli" "$root/examples/payment-simulator" \
      "$root/bench/pom.xml" "$root/bench/src" \
      \( -name target -prune \) -o \( -type f \( -name '*.java' -o -name 'pom.xml' \) -newer "$nanolith_bench_lib/bench.jar" -print \) \
      2>/dev/null | head -n 1)" ]
}

case "${NANOLITH_BENCH_BUILD:-auto}" in
  never) ;;
  always | auto)
    if [ "${NANOLITH_BENCH_BUILD:-auto}" = always ] || nanolith_bench_stale; then
      if ! command -v mvn >/dev/null 2>&1; then
        echo "bench: the benchmarks are not built and Maven is missing — install Maven 3.8 or newer (Debian: apt-get install maven)." >&2
        exit 1
      fi
      echo "bench: building the platform and the benchmarks..." >&2
      # -DskipTests, not -Dmaven.test.skip: the CLI's tests use the store's test jar, which Maven resolves even when it skips them.
      (cd "$root" && mvn -q -B -DskipTests -pl bench -am package) >&2
    fi ;;
  *) echo "bench: NANOLITH_BENCH_BUILD is '$NANOLITH_BENCH_BUILD' — use auto, always or never." >&2; exit 2 ;;
esac
