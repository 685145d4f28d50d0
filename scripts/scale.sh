#!/usr/bin/env bash
# Scale figures on a generated database (issue 6, item 3). Usage:
#   go build -o /tmp/banhao ./cmd/banhao
#   /tmp/banhao generate --db sqlite:/tmp/big.db            # 1,000,000 cases, 30,000 items
#   scripts/scale.sh /tmp/banhao sqlite:/tmp/big.db
# It starts serve, times its start, a catalog search, guide and list, the
# case lookup, the reviewer inbox (API), a month of statistics and one
# lights tick, and prints the RSS before and after the statistics.
set -euo pipefail
BIN=${1:?binary}; DB=${2:?db url}; PORT=${PORT:-18089}
BASE=http://127.0.0.1:$PORT
tok() { "$BIN" token create --db "$DB" --login "$1" 2>/dev/null | tail -1; }
s=$(date +%s.%N); SUP=$(tok supervisor)
echo "token create (whole command): $(echo "$(date +%s.%N) - $s" | bc) s"
REV=$(tok reviewer)
t0=$(date +%s.%N)
"$BIN" serve --db "$DB" --addr 127.0.0.1:$PORT >/tmp/scale-serve.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -fs -o /dev/null $BASE/healthz; do sleep 0.05; done
echo "serve start: $(echo "$(date +%s.%N) - $t0" | bc) s"
rss() { echo "RSS $1: $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"; }
# The catalog's index is built in the background after start: the first
# search waits for it.
c() { curl -s -o /dev/null -w '%{http_code} %{time_total}s' "$BASE$1"; }
echo "first search GET /api/v1/items?q=营业执照: $(c '/api/v1/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7') (catalog ready $(echo "$(date +%s.%N) - $t0" | bc) s after start)"
grep -o 'catalog loaded.*' /tmp/scale-serve.log || true
for u in '/api/v1/items?q=%E5%BC%80%E9%A5%AD%E5%BA%97' '/api/v1/items?q=yyzz' '/api/v1/items?domain=%E5%95%86%E4%BA%8B%E7%99%BB%E8%AE%B0&page=3' \
  '/api/v1/items/0100001000-990121-01' '/items/0100001000-990121-01' '/search?q=%E6%88%BF%E5%AD%90%E8%BF%87%E6%88%B7' '/catalog/metrics'; do
  echo "catalog GET $u: $(c "$u")"
done
for code in $(curl -s "$BASE/api/v1/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&page=5" | grep -o '"code":"8[^"]*"' | head -3 | cut -d'"' -f4); do
  echo "guide GET /api/v1/items/$code: $(c /api/v1/items/$code), page /items/$code: $(c /items/$code)"
done
rss "after catalog requests"
# one generated open case and one closed case
q() { curl -s -o /dev/null -w '%{http_code} %{time_total}s' -H "Authorization: Bearer $1" "$BASE$2"; }
best() { # best and median of 5 calls
  for i in 1 2 3 4 5; do q "$1" "$2"; echo; done | sort -k2 -n | awk 'NR==1{b=$2} NR==3{m=$2; c=$1} END{print c, "best", b, "median", m}'; }
NOS=${NO:-}; [ -n "$NOS" ] || NOS=$(curl -s -H "Authorization: Bearer $SUP" "$BASE/api/v1/cases?limit=3" | grep -o '"no":"[^"]*"' | head -1 | cut -d'"' -f4)
echo "case lookup GET /api/v1/cases/$NOS: $(best "$SUP" "/api/v1/cases/$NOS")"
echo "reviewer inbox GET /api/v1/cases?inbox=true: $(best "$REV" "/api/v1/cases?inbox=true")"
echo "supervisor list GET /api/v1/cases?status=accepted: $(best "$SUP" "/api/v1/cases?status=accepted")"
rss "after case lookups"
M=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
FROM=$M-01; TO=$(date -u -d "$FROM +1 month -1 day" +%Y-%m-%d)
echo "month statistics GET /api/v1/stats/cases?from=$FROM&to=$TO: $(best "$SUP" "/api/v1/stats/cases?from=$FROM&to=$TO")"
for i in 1 2; do
  s=$(date +%s.%N); "$BIN" job run cases-lights --db "$DB" >/tmp/scale-job.log 2>&1 || cat /tmp/scale-job.log
  echo "lights tick $i (job run cases-lights): $(echo "$(date +%s.%N) - $s" | bc) s"
done
rss "at the end (after statistics and lights)"
echo "load average: $(cat /proc/loadavg)"
