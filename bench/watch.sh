#!/usr/bin/env bash
# `make bench` row (issue 19): `flowmap watch` throughput, flows evaluated per second from a stdin stream
# (release build). The policy set is generated from the same capture with every 10th policy file removed, so
# part of the traffic would be blocked and every batch is evaluated for real. Bar: 200,000 flows/s.
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
start=$(date +%s.%N)
status=0
"$BIN/flowmap" watch --policies "$POL" --output jsonl - < "$CAPTURE" > "$DATA/watch.out" 2> "$DATA/watch.err" || status=$?
end=$(date +%s.%N)
if [ "$status" -gt 1 ]; then echo "watch failed ($status):" >&2; tail -5 "$DATA/watch.err" >&2; exit 1; fi
"$PY" - "$start" "$end" "$DATA/watch.out" <<'PYEOF'
import json, sys
start, end, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
lines = [json.loads(l) for l in open(out) if l.strip()]
s = [l for l in lines if l.get("event") == "summary"][-1]
blocked = sum(1 for l in lines if l.get("event") == "blocked")
secs = end - start
rate = s["accepted"] / secs
print(f"watch: {s['accepted']:,} flows ({s['lines']:,} lines) evaluated in {secs:.2f} s = {rate:,.0f} flows/s "
      f"(bar 200,000: {'ok' if rate >= 200_000 else 'MISSED'}); {blocked} connection(s) would be blocked, "
      f"{s['allowed_connections']} allowed, {s['policies']} policies")
PYEOF
