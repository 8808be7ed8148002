#!/usr/bin/env bash
# Times what a newcomer waits for, on a warm build (nothing to compile): `./kafkalab lab` end to end, split into
# its phases by when each line of output arrives, and `./kafkalab cluster` from launch to its ready line and from
# SIGTERM to exit. Prints each run and the medians.
#   scripts/time-first-run.sh [runs]     (default 5; figures drift with whatever else runs on the machine)
# KAFKALAB=/other/checkout/kafkalab times another build the same way (for before/after comparisons).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KAFKALAB_LOG_DIR="$work/logs"
kafkalab="${KAFKALAB:-$root/kafkalab}"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

"$kafkalab" --version > /dev/null # build if needed, so that no run below includes a build

echo "== ./kafkalab lab, $runs runs (ms; start = launch to the cluster's status, consume = topic to SUMMARY, stop = SUMMARY to exit)"
printf '%6s %8s %8s %8s %8s\n' run total start consume stop
for i in $(seq 1 "$runs"); do
  begin=$(now)
  ready=0 summary=0
  while IFS= read -r line; do
    t=$(now)
    case "$line" in
      "== 2. "*) ready=$t ;;
      "SUMMARY "*) summary=$t; echo "$line" > "$work/summary" ;;
    esac
  done < <("$kafkalab" lab 2> "$work/lab.err")
  end=$(now)
  grep -q ' lost=0 ' "$work/summary" || { cat "$work/lab.err"; echo "lab run $i lost messages" >&2; exit 1; }
  printf '%6d %8d %8d %8d %8d\n' "$i" "$(ms "$begin" "$end")" "$(ms "$begin" "$ready")" \
    "$(ms "$ready" "$summary")" "$(ms "$summary" "$end")" | tee -a "$work/lab.txt"
done
awk '{print $2}' "$work/lab.txt" | median | xargs printf 'median total %s ms' ; echo
awk '{print $3}' "$work/lab.txt" | median | xargs printf '       start %s ms,'
awk '{print $4}' "$work/lab.txt" | median | xargs printf ' consume %s ms,'
awk '{print $5}' "$work/lab.txt" | median | xargs printf ' stop %s ms\n'

echo
echo "== ./kafkalab cluster --port 0, $runs runs (ms; ready = launch to the bootstrap.servers line, stop = SIGTERM to exit;"
echo "   in-JVM = what the command itself reports: cluster start, cluster close)"
printf '%6s %8s %8s %12s %12s\n' run ready stop in-JVM-ready in-JVM-stop
for i in $(seq 1 "$runs"); do
  rm -f "$work/out" "$work/err"; mkfifo "$work/out"
  begin=$(now)
  "$kafkalab" cluster --port 0 > "$work/out" 2> "$work/err" < /dev/null &
  pid=$!
  exec 3< "$work/out"
  read -r line <&3
  ready=$(now)
  case "$line" in bootstrap.servers=*) ;; *) cat "$work/err"; echo "no ready line: $line" >&2; exit 1 ;; esac
  kill -TERM "$pid"
  wait "$pid" || true
  end=$(now)
  exec 3<&-
  printf '%6d %8d %8d %12s %12s\n' "$i" "$(ms "$begin" "$ready")" "$(ms "$ready" "$end")" \
    "$(sed -n 's/^Ready in \([0-9]*\) ms.*/\1/p' "$work/err")" \
    "$(sed -n 's/^Cluster stopped in \([0-9]*\) ms.*/\1/p' "$work/err")" | tee -a "$work/cluster.txt"
done
awk '{print $2}' "$work/cluster.txt" | median | xargs printf 'median ready %s ms,'
awk '{print $3}' "$work/cluster.txt" | median | xargs printf ' stop %s ms\n'
