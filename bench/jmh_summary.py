"""Prints the hot-path table from JMH's JSON results: each pipeline benchmark against its direct baseline."""
import json
import sys

PAIRS = [  # (label, baseline, pipeline)
    ("hot.add: one call", "addDirect", "addPipeline"),
    ("hot.double-sum: call + 1 nested", "nestedDirect", "nestedPipeline"),
    ("+ hot.add's callers checked", "nestedPipeline", "nestedGuarded"),
    ("error handler, defaults", "nestedBare", "nestedPipeline"),
    ("error handler, policies set", "nestedBare", "nestedResilient"),
    ("activation records", "nestedBare", "nestedRecorded"),
]
TARGET_NS = 1000  # the overhead of one local call, at the median
SECURITY_TARGET_NS = 50  # the caller rules' cost on a local call, on average
RESILIENCE_TARGET_NS = 50  # the error handler's cost on a local call with policies set but not triggered, on average
RECORDING_TARGET_NS = 300  # spans and activation records on a local call, at the median

runs = {}
for run in json.load(open(sys.argv[1])):
    name = run["benchmark"].rsplit(".", 1)[1]
    runs[(name, run["mode"])] = run


def figure(name, stat):
    """The mean (avgt) or the median (sample) of one benchmark, in ns/op; None if it did not run."""
    if stat == "avg":
        run = runs.get((name, "avgt"))
        return run and run["primaryMetric"]["score"]
    run = runs.get((name, "sample"))
    return run and run["primaryMetric"]["scorePercentiles"]["50.0"]


def alloc(name):
    run = runs.get((name, "avgt"))
    metric = run and run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    return metric and metric["score"]


print()
allocs = any(alloc(name) is not None for _, base, piped in PAIRS for name in (base, piped))
print(f"{'':34}{'':5}{'baseline ns':>13}{'pipeline ns':>13}{'overhead ns':>13}{'ratio':>9}{'alloc B/op' if allocs else '':>13}".rstrip())
overheads = {}
for label, base, piped in PAIRS:
    for stat in ("avg", "p50"):
        b, p = figure(base, stat), figure(piped, stat)
        if b is None or p is None:
            continue
        overheads[(base, piped, stat)] = p - b
        a_b, a_p = alloc(base), alloc(piped)
        bytes_ = f"{a_b:.0f} -> {a_p:.0f}" if stat == "avg" and a_b is not None and a_p is not None else ""
        print(f"{label:34}{stat:5}{b:13.1f}{p:13.1f}{p - b:13.1f}{p / b:8.1f}x{bytes_:>13}".rstrip())
        label = ""


def hop(stat):
    """What the nested hop adds over the entry call alone: the nested overhead less one call's."""
    nested, single = overheads.get(("nestedDirect", "nestedPipeline", stat)), overheads.get(("addDirect", "addPipeline", stat))
    return None if nested is None or single is None else nested - single


if hop("avg") is not None and hop("p50") is not None:
    print(f"{'one nested hop alone':34}{'avg':5}{'':26}{hop('avg'):13.1f}")
    print(f"{'':34}{'p50':5}{'':26}{hop('p50'):13.1f}")

one = overheads.get(("addDirect", "addPipeline", "p50"))
print()
print("p50 times single calls, so it includes the timer's own cost (the baseline's p50 shows it); the overhead cancels it.")
if one is None:
    print("target: not checked — run addDirect and addPipeline in SampleTime mode for the median")
else:
    verdict = "met" if one <= TARGET_NS else "MISSED"
    print(f"target: overhead of one local call <= {TARGET_NS} ns at the median: {one:.0f} ns — {verdict}")
guarded = overheads.get(("nestedPipeline", "nestedGuarded", "avg"))
if guarded is not None:
    verdict = "met" if guarded <= SECURITY_TARGET_NS else "MISSED"
    print(f"target: caller rules on a local call <= {SECURITY_TARGET_NS} ns on average: {guarded:.1f} ns — {verdict}")
resilient = overheads.get(("nestedBare", "nestedResilient", "avg"))
if resilient is not None:
    verdict = "met" if resilient <= RESILIENCE_TARGET_NS else "MISSED"
    print(f"target: error handler with policies set on a local call <= {RESILIENCE_TARGET_NS} ns on average: {resilient:.1f} ns — {verdict}")
recorded = overheads.get(("nestedBare", "nestedRecorded", "p50"))
if recorded is not None:
    # hot.double-sum and the hot.add it calls: two calls, two records.
    verdict = "met" if recorded / 2 <= RECORDING_TARGET_NS else "MISSED"
    print(f"target: spans and activation records on a local call <= {RECORDING_TARGET_NS} ns at the median:"
          f" {recorded / 2:.0f} ns a call ({recorded:.0f} ns for the two of hot.double-sum) — {verdict}")
