#!/usr/bin/env bash
# `make bench` row (issue 19): `flowmap watch` throughput, flows evaluated per second from a stdin stream
# (release build). The policy set is generated from the same capture with every 10th allow policy removed, so
# part of the traffic would be blocked and every batch is evaluated for real. Bar: 200,000 flows/s of CPU time,
# printed beside the peer rows of the same run (cat, and ingest - of the same stream).
# Environment: WATCH_BENCH_MB (capture size, default 300), PYTHON (with orjson), FLOWMAP_BIN_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${WATCH_BENCH_MB:-300}"
PY="${PYTHON:-python3}"
BIN="${FLOWMAP_BIN_DIR:-.build/release}"
DATA=bench/data
CAPTURE="$DATA/watch-${MB}mb.jsonl"
mkdir -p "$DATA"
if [ ! -s "$CAPTURE" ]; then
  echo "generating $CAPTURE (once; kept for later runs)" >&2
  "$PY" bench/gen_hubble.py "$CAPTURE.tmp" --mb "$MB" --workloads 320 --seed 2
  mv "$CAPTURE.tmp" "$CAPTURE"
fi
DB="$DATA/watch-bench.db"
POL="$DATA/watch-policies"
rm -rf "$DB" "$DB-wal" "$DB-shm" "$POL"
"$BIN/flowmap" ingest --db "$DB" "$CAPTURE" > /dev/null
"$BIN/flowmap" generate --db "$DB" --out "$POL" > /dev/null
# Thin the set to a known share of blocked traffic: drop every 10th `allow-*` policy (over the files in sorted
# order), keeping each namespace's default-deny and allow-dns. Removing whole files (as before) removed a
# namespace's default-deny with its allows, so that namespace was left unisolated and nothing was blocked.
"$PY" - "$POL" <<'PYEOF'
import pathlib, re, sys
n = dropped = 0
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    docs = f.read_text().split("\n---\n")
    kept = []
    for d in docs:
        m = re.search(r"^kind: NetworkPolicy\nmetadata:\n  name: (allow-\S+)", d, re.M)
        if m and m.group(1) != "allow-dns":
            n += 1
            if n % 10 == 0:
                dropped += 1
                continue
        kept.append(d)
    f.write_text("\n---\n".join(kept))
print(f"policy set: {dropped} of {n} allow policies removed (every 10th)", file=sys.stderr)
PYEOF
# What `check` says the thinned set breaks on the same flows: watch must report exactly that.
"$BIN/flowmap" check --db "$DB" --policies "$POL" -o json > "$DATA/check.json" || [ $? -eq 1 ]
cat "$CAPTURE" > /dev/null
# CPU time (user + sys, /usr/bin/time) is the measure: wall time on a shared machine is the load's. Peer rows of
# the same run: `cat` of the capture, and `ingest -` of the same stream into a fresh store (watch reads through it).
TIME=/usr/bin/time
$TIME -f "%U %S %M" -o "$DATA/cat.time" cat "$CAPTURE" > /dev/null
PEER_DB="$DATA/watch-peer.db"
rm -f "$PEER_DB" "$PEER_DB-wal" "$PEER_DB-shm"
$TIME -f "%U %S %M" -o "$DATA/ingest.time" "$BIN/flowmap" ingest --db "$PEER_DB" - < "$CAPTURE" > /dev/null
start=$(date +%s.%N)
status=0
$TIME -f "%U %S %M" -o "$DATA/watch.time" \
  "$BIN/flowmap" watch --policies "$POL" --output jsonl - < "$CAPTURE" > "$DATA/watch.out" 2> "$DATA/watch.err" || status=$?
end=$(date +%s.%N)
if [ "$status" -gt 1 ]; then echo "watch failed ($status):" >&2; tail -5 "$DATA/watch.err" >&2; exit 1; fi
"$PY" - "$start" "$end" "$DATA/watch.out" "$DATA/watch.time" "$DATA/ingest.time" "$DATA/cat.time" "$DATA/check.json" <<'PYEOF'
import json, os, sys
start, end, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
check = json.load(open(sys.argv[7]))["totals"]
def cpu(path):
    u, s, rss = open(path).read().split()[-3:]
    return float(u) + float(s), int(rss) // 1024
lines = [json.loads(l) for l in open(out) if l.strip()]
s = [l for l in lines if l.get("event") == "summary"][-1]
blocked = sum(1 for l in lines if l.get("event") == "blocked")
(wcpu, wrss), (icpu, irss), (ccpu, _) = cpu(sys.argv[4]), cpu(sys.argv[5]), cpu(sys.argv[6])
wall = end - start
rate = s["accepted"] / wcpu
load = os.getloadavg()[0]
print(f"watch:  {s['accepted']:,} flows ({s['lines']:,} lines) evaluated in {wcpu:.2f} s CPU = {rate:,.0f} flows/s "
      f"(bar 200,000: {'ok' if rate >= 200_000 else 'MISSED'}); wall {wall:.2f} s at load {load:.1f}; peak RSS "
      f"{wrss} MB; {s['policies']} policies")
conns = s["allowed_connections"] + s["blocked_connections"]
print(f"        blocked: {blocked} of {conns} connections ({blocked / max(conns, 1):.1%}), {s['blocked_flows']:,} of "
      f"{s['accepted']:,} flows ({s['blocked_flows'] / max(s['accepted'], 1):.1%}); check on the same flows: "
      f"{check['would_break']['connections']} connections, {check['would_break']['flows']:,} flows "
      f"({'same' if (blocked, s['blocked_flows']) == (check['would_break']['connections'], check['would_break']['flows']) else 'DIFFERENT'})")
if blocked == 0:
    sys.exit("the bench's policy set blocks nothing: the blocked path is not exercised")
print(f"peer:   ingest - of the same stream {icpu:.2f} s CPU = {s['accepted'] / icpu:,.0f} flows/s (peak RSS {irss} MB); "
      f"cat {ccpu:.2f} s CPU")
PYEOF
