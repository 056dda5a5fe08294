#!/usr/bin/env bash
# `make bench` row (issue 19): `flowmap watch` throughput, flows evaluated per second from a stdin stream
# (release build). The policy set is generated from the same capture with every 10th policy file removed, so
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
find "$POL" -name '*.yaml' | sort | awk 'NR % 10 == 0' | xargs -r rm -f
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
"$PY" - "$start" "$end" "$DATA/watch.out" "$DATA/watch.time" "$DATA/ingest.time" "$DATA/cat.time" <<'PYEOF'
import json, os, sys
start, end, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
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
      f"{wrss} MB; {blocked} connection(s) would be blocked, {s['allowed_connections']} allowed, {s['policies']} policies")
print(f"peer:   ingest - of the same stream {icpu:.2f} s CPU = {s['accepted'] / icpu:,.0f} flows/s (peak RSS {irss} MB); "
      f"cat {ccpu:.2f} s CPU")
PYEOF
