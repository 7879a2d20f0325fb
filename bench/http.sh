#!/usr/bin/env bash
# The HTTP benchmark: wrk against POST /fn/hot.echo on the platform, on the platform with no
# activation recorded (NANOLITH_ACTIVATIONS_BUFFER=0), and against a bare hello world on the same
# HTTP server (Helidon SE, same defaults), in turns, in one run. Prints requests per second,
# latency and server CPU per request of each, and the ratios.
# Options: --duration 10s --rounds 2 --warmup 30s --threads 1 --connections 32 (the warm-up is
# per server, in 5 s steps taken in turns: the platform's longer hot path takes longer to compile).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

duration=10s rounds=2 warmup=30s threads=1 connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1' — use --duration, --rounds, --warmup, --threads or --connections" >&2; exit 2 ;;
  esac
done
if ! [[ $warmup =~ ^[0-9]+s?$ ]]; then
  echo "bench: --warmup takes seconds, such as 30s" >&2
  exit 2
fi
warmup_steps=$(( (${warmup%s} + 4) / 5 ))
# The gateway hands every call to a worker over loopback: one hop more than the bare server makes.
target=0.6
body='{"text":"hello","n":1}'

. "$root/bin/jdk.sh"
. "$root/bench/build.sh"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing wrk..." >&2
    { apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } >&2
  else
    echo "bench: needs wrk — install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)" >&2
    exit 1
  fi
fi

work="$(mktemp -d)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Starts a server on a free loopback port, with the settings given after its main class;
# sets $url and $pid once it answers with the expected body.
start() {
  local name=$1 main=$2 log="$work/$1.log" answer
  shift 2
  env "$@" "$JAVA_HOME/bin/java" ${NANOLITH_JAVA_OPTS:-} -cp "$nanolith_bench_lib/*" "$main" 0 >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: the $name server stopped before answering:" >&2
      cat "$log" >&2
      exit 1
    fi
    url="$(sed -n 's/^listening on //p' "$log" | head -n 1)"
    if [ -n "$url" ] && answer="$(curl -sf -X POST -H 'Content-Type: application/json' --data "$body" "$url")"; then
      if [ "$answer" != "$body" ]; then
        echo "bench: the $name server answered '$answer', not '$body'" >&2
        exit 1
      fi
      return 0
    fi
    sleep 0.1
  done
  echo "bench: the $name server did not answer within 60 s; its output:" >&2
  cat "$log" >&2
  exit 1
}

tree() { # a process and its descendants (the platform's workers)
  echo "$1"
  local child
  for child in $(pgrep -P "$1" || true); do tree "$child"; done
}

cpu_ticks() { # user + system clock ticks the process and its descendants have used so far
  local total=0 ticks pid
  for pid in $(tree "$1"); do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

# Runs wrk once against a server; a measured round appends
# "server round requests duration_us p50_us p99_us errors non2xx cpu_ticks" to the results,
# a warm-up step only prints its requests per second.
load() {
  local name=$1 server_url=$2 server_pid=$3 length=$4 round=$5 before after line
  before=$(cpu_ticks "$server_pid")
  line="$(wrk -t"$threads" -c"$connections" -d"$length" --timeout 5s -s "$root/bench/post.lua" "$server_url" | grep '^RESULT ')" || {
    echo "bench: wrk failed against the $name server" >&2
    exit 1
  }
  after=$(cpu_ticks "$server_pid")
  line="$name $round $(echo "$line" | sed 's/RESULT //; s/[a-z0-9_]*=//g') $((after - before))"
  if [ "$round" = warmup ]; then
    echo "$line" | awk '{ printf "%s%.0f", ($1 == "baseline" ? " " : "/"), $3 / ($4 / 1e6) }'
  else
    echo "$line" >>"$work/results"
  fi
}

# Other work on the machine slows both servers alike and hides part of the difference.
load_before="$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo 0)"
start baseline dev.nanolith.bench.HelloServer
baseline_url=$url baseline_pid=$pid
start platform dev.nanolith.bench.PlatformServer
platform_url=$url platform_pid=$pid
start unrecorded dev.nanolith.bench.PlatformServer NANOLITH_ACTIVATIONS_BUFFER=0
unrecorded_url=$url unrecorded_pid=$pid

echo "baseline: POST $baseline_url (bare Helidon SE handler)"
echo "platform: POST $platform_url (gateway, a hop to the app's worker, pipeline + function; CPU of every process)"
echo "unrecorded: POST $unrecorded_url (the same platform, recording no activation)"
echo "wrk -t$threads -c$connections, $rounds round(s) of $duration each after $((warmup_steps * 5)) s of warm-up; $(nproc) CPUs, load $load_before; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
printf "warm-up, req/s per 5 s step (baseline/platform/unrecorded):"
for _ in $(seq "$warmup_steps"); do
  load baseline "$baseline_url" "$baseline_pid" 5s warmup
  load platform "$platform_url" "$platform_pid" 5s warmup
  load unrecorded "$unrecorded_url" "$unrecorded_pid" 5s warmup
done
echo
for round in $(seq "$rounds"); do
  echo "round $round..."
  load baseline "$baseline_url" "$baseline_pid" "$duration" "$round"
  load platform "$platform_url" "$platform_pid" "$duration" "$round"
  load unrecorded "$unrecorded_url" "$unrecorded_pid" "$duration" "$round"
done

echo
awk -v target="$target" -v hz="$(getconf CLK_TCK)" -v cpus="$(nproc)" -v load="$load_before" '
  function row(label, server, rps, p50, p99, cpu, errors) {
    printf "%-8s %-10s %11.0f %10.2f %10.2f %12.1f %8d\n", label, server, rps, p50 / 1000, p99 / 1000, cpu, errors
  }
  BEGIN { printf "%-8s %-10s %11s %10s %10s %12s %8s\n", "round", "server", "req/s", "p50 ms", "p99 ms", "cpu us/req", "errors" }
  {
    server = $1; requests = $3; us = $4; cpu = $9 / hz * 1e6
    row($2, server, requests / (us / 1e6), $5, $6, requests ? cpu / requests : 0, $7 + $8)
    total[server] += requests; time[server] += us; cputime[server] += cpu; errors[server] += $7 + $8
    p50[server] += $5; p99[server] += $6; n[server]++
  }
  END {
    for (s in n) rate[s] = total[s] / (time[s] / 1e6)
    split("baseline platform unrecorded", order, " ")
    for (i = 1; i <= 3; i++) {
      s = order[i]
      row("all", s, rate[s], p50[s] / n[s], p99[s] / n[s], total[s] ? cputime[s] / total[s] : 0, errors[s])
    }
    ratio = rate["platform"] / rate["baseline"]
    printf "\nratio platform / baseline: %.2f req/s, %.2f CPU per request (latencies: mean of the rounds)\n", ratio,
      (cputime["platform"] / total["platform"]) / (cputime["baseline"] / total["baseline"])
    printf "target: platform >= %.1f x baseline req/s: %.2f — %s\n", target, ratio, (ratio >= target ? "met" : "MISSED")
    printf "recording, platform / unrecorded: %.2f req/s, %.2f CPU per request\n", rate["platform"] / rate["unrecorded"],
      (cputime["platform"] / total["platform"]) / (cputime["unrecorded"] / total["unrecorded"])
    if (errors["baseline"] + errors["platform"] + errors["unrecorded"] > 0) print "warning: some requests failed; the figures are not comparable"
    if (load + 0 > cpus / 2) printf "warning: the machine was busy before the run (load %s on %d CPUs): the req/s ratio flatters the platform; CPU per request does not\n", load, cpus
  }' "$work/results"
