#!/usr/bin/env bash
# `make bench` rows (issue 18): fleets. One capture (bench/gen_hubble.py, FLEET_BENCH_MB, default 300) split in 4
# parts by lines (one per node), each part ingested into a node store; then, side by side in the same run:
#   merge   `flowmap merge` of the 4 node stores into a new store
#   ingest  one `flowmap ingest` of the whole capture into a new store (what the merge must equal)
# CPU time (user + system) is the number to compare on a shared machine; wall time is shown for reference. The
# edge counts and `generate` outputs of both stores must be equal (a row says DIFFER otherwise, and the script
# fails). One function per row.
#   postgres N  N concurrent `flowmap ingest` processes (N = 1, 2, 4) on N parts of the capture into one new
#               PostgreSQL store; flows/s of wall time, the CPU time of the ingesters and of the server (its
#               backends, exited and reaped by the postmaster), and the export rows, which must equal the one
#               SQLite ingest's export byte for byte (DIFFER otherwise, and the script fails). On a loaded machine
#               wall time mostly measures the load: compare CPU seconds.
# A private PostgreSQL server runs for the PostgreSQL rows (initdb in a temporary directory, a free loopback port,
# fsync off as in the tests; as the postgres user when run as root), stopped at the end.
# Environment: FLEET_BENCH_MB, PYTHON (for the generator), FLOWMAP_BIN_DIR (release build dir), PG_BIN
# (PostgreSQL's bin directory; default: initdb on PATH, else the newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${FLEET_BENCH_MB:-300}"
PY="${PYTHON:-python3}"
BIN="${FLOWMAP_BIN_DIR:-.build/release}"
DATA=bench/data
FLEET="$DATA/fleet"
CAPTURE="$DATA/fleet-${MB}mb.jsonl"
mkdir -p "$DATA"
if [ ! -s "$CAPTURE" ]; then
  echo "generating $CAPTURE (once; kept for later runs)" >&2
  "$PY" bench/gen_hubble.py "$CAPTURE.tmp" --mb "$MB" --workloads 320 --seed 3
  mv "$CAPTURE.tmp" "$CAPTURE"
fi
rm -rf "$FLEET" && mkdir -p "$FLEET"
split -n l/4 -d "$CAPTURE" "$FLEET/part-"

fresh() { rm -f "$1" "$1-wal" "$1-shm"; }

timed() {  # label, command...: prints "label wall_s cpu_s peak_mb" (CPU = user + system)
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$FLEET/$label.time" "$@" > "$FLEET/$label.out" 2> "$FLEET/$label.err" || {
    echo "$label failed:" >&2; tail -5 "$FLEET/$label.err" >&2; exit 1; }
  read -r wall user sys kb < "$FLEET/$label.time"
  echo "$label $wall $(echo "$user + $sys" | bc) $((kb / 1024))"
}

edges() { "$BIN/flowmap" export --db "$1" | wc -l; }

nodes_row() {  # the 4 node ingests (not compared: the work a fleet spreads over its nodes)
  local cpu=0 wall=0 i
  for i in 0 1 2 3; do
    fresh "$FLEET/node-$i.db"
    read -r _ w c _ < <(timed "node-$i" "$BIN/flowmap" ingest --db "$FLEET/node-$i.db" "$FLEET/part-0$i")
    cpu=$(echo "$cpu + $c" | bc); wall=$(echo "$wall + $w" | bc)
  done
  printf "%-34s %9s %9s %9s %8s\n" "ingest 4 parts, one store each" "$wall" "$cpu" "-" "-"
}

merge_row() {
  fresh "$FLEET/merged.db"
  read -r _ wall cpu mb < <(timed merge "$BIN/flowmap" merge --db "$FLEET/merged.db" \
    "$FLEET/node-0.db" "$FLEET/node-1.db" "$FLEET/node-2.db" "$FLEET/node-3.db")
  printf "%-34s %9s %9s %9s %8s\n" "merge 4 node stores" "$wall" "$cpu" "$mb" "$(edges "$FLEET/merged.db")"
}

ingest_row() {
  fresh "$FLEET/direct.db"
  read -r _ wall cpu mb < <(timed ingest "$BIN/flowmap" ingest --db "$FLEET/direct.db" "$CAPTURE")
  printf "%-34s %9s %9s %9s %8s\n" "ingest the whole capture" "$wall" "$cpu" "$mb" "$(edges "$FLEET/direct.db")"
}

same_row() {  # merged == direct: export and generate byte for byte
  local a="$FLEET/merged.db" b="$FLEET/direct.db" verdict=equal
  cmp -s <("$BIN/flowmap" export --db "$a") <("$BIN/flowmap" export --db "$b") || verdict=DIFFER
  cmp -s <("$BIN/flowmap" generate --db "$a" --out - --allow-breaks 2>/dev/null) \
         <("$BIN/flowmap" generate --db "$b" --out - --allow-breaks 2>/dev/null) || verdict=DIFFER
  echo "merged store vs one ingest: export and generate $verdict"
  [ "$verdict" = equal ]
}

pg_start() {
  PG_BIN="${PG_BIN:-}"
  if [ -z "$PG_BIN" ]; then
    if command -v initdb >/dev/null 2>&1 && [ -x "$(dirname "$(command -v initdb)")/psql" ]; then
      PG_BIN=$(dirname "$(command -v initdb)")
    else PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1); fi
  fi
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/psql" ] || { echo "fleet bench: no PostgreSQL (initdb); run make pgdeps" >&2; exit 1; }
  PGWORK=$(mktemp -d /tmp/flowmap-fleet-XXXXXX)
  AS=()
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$PGWORK"
    AS=(runuser -u postgres --)
  fi
  PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  trap pg_stop EXIT
  "${AS[@]}" "$PG_BIN/initdb" -D "$PGWORK/data" -U flowmap --auth=trust --no-sync -E UTF8 --locale=C >/dev/null
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGWORK/data" -l "$PGWORK/log" -w \
    -o "-p $PORT -k $PGWORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
}
pg_stop() { "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGWORK/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$PGWORK"; }

pg_cpu() {  # CPU seconds of the server so far: the postmaster and its reaped children (every ended backend)
  local pid
  pid=$(head -1 "$PGWORK/data/postmaster.pid")
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / hz }' "/proc/$pid/stat"
}

postgres_row() {  # n: n concurrent ingesters on n parts into one new PostgreSQL database
  local n="$1"
  local dir="$FLEET/pg-parts-$n" url start end wall flows verdict=equal i
  rm -rf "$dir" && mkdir -p "$dir"
  split -n "l/$n" -d "$CAPTURE" "$dir/part-"
  "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U flowmap -d postgres -c "CREATE DATABASE fleet$n" >/dev/null
  url="postgresql://flowmap@127.0.0.1:$PORT/fleet$n"
  local pids=() server0 server cpu=0 u sy
  sleep 1  # the CREATE DATABASE backend ended and was reaped
  server0=$(pg_cpu)
  start=$(date +%s.%N)
  for f in "$dir"/part-*; do
    /usr/bin/time -f "%U %S" -o "$f.time" "$BIN/flowmap" ingest --db "$url" "$f" > "$f.out" 2> "$f.err" & pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || { echo "postgres $n: an ingester failed" >&2; cat "$dir"/*.err >&2; exit 1; }; done
  end=$(date +%s.%N)
  sleep 1  # the ingesters' backends ended and were reaped
  server=$(echo "$(pg_cpu) - $server0" | bc)
  for f in "$dir"/part-*[0-9]; do read -r u sy < "$f.time"; cpu=$(echo "$cpu + $u + $sy" | bc); done
  wall=$(echo "$end - $start" | bc)
  flows=$(wc -l < "$CAPTURE")
  cmp -s <("$BIN/flowmap" export --db "$url") <("$BIN/flowmap" export --db "$FLEET/direct.db") || verdict=DIFFER
  printf "%-34s %9.2f %9s %9s %8s  %s flows/s, server CPU %s s, export %s to SQLite's\n" \
    "postgres: $n concurrent ingesters" "$wall" "$cpu" "-" "$(edges "$url")" "$(echo "$flows / $wall" | bc)" \
    "$server" "$verdict"
  [ "$verdict" = equal ]
}

echo "== fleet: $(du -m "$CAPTURE" | cut -f1) MB capture in 4 parts (bench/fleet.sh) =="
printf "%-34s %9s %9s %9s %8s\n" "row" "wall s" "CPU s" "peak MB" "export rows"
nodes_row
merge_row
ingest_row
same_row
pg_start
postgres_row 1
postgres_row 2
postgres_row 4
