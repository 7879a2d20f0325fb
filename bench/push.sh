#!/usr/bin/env bash
# Push → live for the example shop: the median of N pushes to main (each one checked, tested,
# started and switched to), with each stage's median, against the baseline of the same kind of
# push to another branch, which git stores and the platform does not deploy: git's own cost.
# Then a worker's start on its own, without the shop's tests beside it: N pushes whose worker a spare
# worker started ahead takes (the baseline), and N whose worker has a heap of its own (memory:), so
# that no spare can take it — a cold start: the `workers` stage, from the start of its JVM to serving.
#
# Pushes come PAUSE seconds apart, a developer's pace: the platform starts the processes the next
# push takes (a check process, a spare worker) once a push has gone live, and they warm up meanwhile.
# PAUSE=0 measures pushes that arrive while they still start.
#
#   bench/push.sh [N] [PAUSE]     (defaults 10 and 8; one more push first warms the platform up)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
runs="${1:-10}"
pause="${2:-8}"
command -v git >/dev/null || { echo "bench: git is missing — install it (Debian: apt-get install git)." >&2; exit 1; }

tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
url="http://127.0.0.1:$port"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "bench: starting the platform on $url ..." >&2
PSP_URL=http://127.0.0.1:9 PSP_API_KEY=bench SHOP_DB_URL="jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1" \
  "$root/nanolith" run --port "$port" --data "$tmp/data" > "$tmp/platform.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/platform.log" >&2; exit 1; }
  sleep 0.5
done
remote="$("$root/nanolith" apps create shop --data "$tmp/data" | awk '/git remote add/ {print $5}')"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_TERMINAL_PROMPT=0
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git clone -q "$remote" "$tmp/shop" 2>/dev/null
(cd "$root/examples/shop" && tar cf - --exclude=target --exclude=pom.xml .) | (cd "$tmp/shop" && tar xf -)
cd "$tmp/shop"
git add -A && git commit -qm "The shop"

millis() { date +%s%3N; }
push() { # $1: ref to push HEAD to, $2: file for the output; prints the push's wall time in ms
  local start end
  sleep "$pause"
  start=$(millis)
  git push origin "HEAD:$1" > "$2" 2>&1 || { cat "$2" >&2; exit 1; }
  end=$(millis)
  echo $((end - start))
}

echo "bench: warm-up push" >&2
push main "$tmp/warmup.txt" >/dev/null
: > "$tmp/times.txt"
for i in $(seq 1 "$runs"); do
  git commit -q --allow-empty -m "branch $i"
  branch=$(push "refs/heads/bench-$i" "$tmp/branch-$i.txt")
  git commit -q --allow-empty -m "main $i"
  main=$(push main "$tmp/main-$i.txt")
  revision="r$((i + 1))"
  curl -s "$url/health" | grep -q "\"shop\":{\"revision\":\"$revision\"" \
    || { echo "bench: push $i did not leave $revision serving" >&2; exit 1; }
  echo "$branch $main" >> "$tmp/times.txt"
  echo "bench: push $i: to a branch $branch ms, to main (deployed $revision) $main ms" >&2
done

# A worker's start on its own: without the shop's tests nothing runs beside the workers stage. First
# with the spare worker, then cold: the payments service's own heap makes the monolith's worker a
# new JVM at every push.
[ -d src/test ] || { echo "bench: the shop has no src/test to leave out" >&2; exit 1; }
git rm -rq src/test && git commit -qm "No tests"
for i in $(seq 1 "$runs"); do
  git commit -q --allow-empty -m "spare $i"
  spare=$(push main "$tmp/spare-$i.txt")
  echo "bench: push with a spare worker $i: $spare ms" >&2
done
sed -i 's/^  payments: \[payments.\*\]$/  payments: {functions: [payments.*], memory: 250m}/' nanolith.yaml
grep -q 'memory: 250m' nanolith.yaml || { echo "bench: the shop's nanolith.yaml has no payments service to give a heap" >&2; exit 1; }
git commit -qam "A heap of its own"
for i in $(seq 1 "$runs"); do
  git commit -q --allow-empty -m "cold $i"
  cold=$(push main "$tmp/cold-$i.txt")
  echo "bench: cold push $i: $cold ms" >&2
done

python3 - "$tmp" "$runs" "$pause" <<'PY'
import re, statistics, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
pairs = [tuple(map(int, l.split())) for l in open(f"{tmp}/times.txt")]
branch = statistics.median(p[0] for p in pairs)
main = statistics.median(p[1] for p in pairs)

def stages_of(prefix):
    stages = {}
    for i in range(1, runs + 1):
        for line in open(f"{tmp}/{prefix}-{i}.txt"):
            m = re.match(r"remote:\s+(checkout|compile|test|warm|workers|switch)\s+(\d+) ms", line)
            if m:
                stages.setdefault(m.group(1), []).append(int(m.group(2)))
    return stages

stages = stages_of("main")
spare = stages_of("spare")["workers"]
cold = stages_of("cold")["workers"]
print(f"\npush -> live for the shop, median of {runs} pushes {sys.argv[3]} s apart (each pair measured in the same run)\n")
print(f"  {'baseline: push to a branch (git only)':<44} {branch:8.0f} ms")
print(f"  {'push to main: checked, tested, live':<44} {main:8.0f} ms")
print(f"  {'ratio (main / branch)':<44} {main / branch:8.1f} x")
print(f"  {'deploy cost (main - branch)':<44} {main - branch:8.0f} ms\n")
print("  stage medians:")
for name in ["checkout", "compile", "test", "warm", "workers", "switch"]:
    if name in stages:
        print(f"    {name:<10} {statistics.median(stages[name]):6.0f} ms   (min {min(stages[name])}, max {max(stages[name])})")
print(f"\n  target: push -> live <= 1000 ms at the median: {'met' if main <= 1000 else 'NOT met'}")
print(f"\nworker start, median of {runs} pushes each without the shop's tests (the workers stage: from its start to serving)\n")
print(f"  {'baseline: a spare worker started ahead':<44} {statistics.median(spare):8.0f} ms   (min {min(spare)}, max {max(spare)})")
print(f"  {'cold: a new JVM (a heap of its own)':<44} {statistics.median(cold):8.0f} ms   (min {min(cold)}, max {max(cold)})")
print(f"  {'ratio (cold / spare)':<44} {statistics.median(cold) / max(statistics.median(spare), 1):8.1f} x")
print(f"\n  target: a worker's cold start <= 1000 ms at the median: {'met' if statistics.median(cold) <= 1000 else 'NOT met'}")
PY
