#!/usr/bin/env bash
# Scale figures on a generated database (issue 6, item 3). Usage:
#   go build -o /tmp/banhao ./cmd/banhao
#   /tmp/banhao generate --db sqlite:/tmp/big.db            # 1,000,000 cases, 30,000 items
#   scripts/scale.sh /tmp/banhao sqlite:/tmp/big.db
# It starts serve, times its start, the case lookup, the reviewer inbox
# (API), a month of statistics and one lights tick, then prints the RSS.
set -euo pipefail
BIN=${1:?binary}; DB=${2:?db url}; PORT=${PORT:-18089}
BASE=http://127.0.0.1:$PORT
tok() { "$BIN" token create --db "$DB" --login "$1" 2>/dev/null | tail -1; }
SUP=$(tok supervisor); REV=$(tok reviewer)
t0=$(date +%s.%N)
"$BIN" serve --db "$DB" --addr 127.0.0.1:$PORT >/tmp/scale-serve.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -fs -o /dev/null $BASE/healthz; do sleep 0.05; done
echo "serve start: $(echo "$(date +%s.%N) - $t0" | bc) s"
# one generated open case and one closed case
q() { curl -s -o /dev/null -w '%{http_code} %{time_total}s' -H "Authorization: Bearer $1" "$BASE$2"; }
best() { # best and median of 5 calls
  for i in 1 2 3 4 5; do q "$1" "$2"; echo; done | sort -k2 -n | awk 'NR==1{b=$2} NR==3{m=$2; c=$1} END{print c, "best", b, "median", m}'; }
NOS=${NO:-}; [ -n "$NOS" ] || NOS=$(curl -s -H "Authorization: Bearer $SUP" "$BASE/api/v1/cases?limit=3" | grep -o '"no":"[^"]*"' | head -1 | cut -d'"' -f4)
echo "case lookup GET /api/v1/cases/$NOS: $(best "$SUP" "/api/v1/cases/$NOS")"
echo "reviewer inbox GET /api/v1/cases?inbox=true: $(best "$REV" "/api/v1/cases?inbox=true")"
echo "supervisor list GET /api/v1/cases?status=accepted: $(best "$SUP" "/api/v1/cases?status=accepted")"
M=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
FROM=$M-01; TO=$(date -u -d "$FROM +1 month -1 day" +%Y-%m-%d)
echo "month statistics GET /api/v1/stats/cases?from=$FROM&to=$TO: $(best "$SUP" "/api/v1/stats/cases?from=$FROM&to=$TO")"
for i in 1 2; do
  s=$(date +%s.%N); "$BIN" job run cases-lights --db "$DB" >/tmp/scale-job.log 2>&1 || cat /tmp/scale-job.log
  echo "lights tick $i (job run cases-lights): $(echo "$(date +%s.%N) - $s" | bc) s"
done
grep -E 'VmRSS|VmHWM' /proc/$PID/status
