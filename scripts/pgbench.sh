#!/bin/sh
# pgbench.sh runs `banhao bench cases` and pgbench (TPC-B) against the same
# PostgreSQL server in one run and prints banhao's API transitions/s as a
# ratio of pgbench's tps (issue 6: goal ≥ 0.5).
#
#   scripts/pgbench.sh [clients] [seconds]
#
# Environment: BANHAO (the binary, default: go run ./cmd/banhao), PGHOST
# (default /var/run/postgresql), PGUSER (default postgres). It creates and
# drops the scratch databases banhao_pgbench_app and banhao_pgbench_tpcb.
set -eu
clients=${1:-8}
secs=${2:-20}
: "${PGHOST:=/var/run/postgresql}" "${PGUSER:=postgres}"
export PGHOST PGUSER
banhao=${BANHAO:-}
if [ -z "$banhao" ]; then
	banhao=$(mktemp -d)/banhao
	go build -o "$banhao" ./cmd/banhao
fi
for db in banhao_pgbench_app banhao_pgbench_tpcb; do
	dropdb --if-exists "$db"
	createdb "$db"
done
trap 'dropdb --if-exists banhao_pgbench_app; dropdb --if-exists banhao_pgbench_tpcb' EXIT

out=$("$banhao" bench cases --db "postgres://$PGUSER@/banhao_pgbench_app?host=$PGHOST" --clients "$clients" --duration "${secs}s")
echo "$out"
# "吞吐：12.3 lifecycles/s（74 次 API 状态变更/s）"
trans=$(echo "$out" | sed -n 's/.*（\([0-9.]*\) 次 API 状态变更\/s）.*/\1/p')

pgbench -q -i -s 10 banhao_pgbench_tpcb >/dev/null 2>&1
pg=$(pgbench -c "$clients" -j 2 -T "$secs" banhao_pgbench_tpcb 2>/dev/null)
echo "$pg" | grep -E '^(tps|latency)'
tps=$(echo "$pg" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
# "含后续投递：9.8 lifecycles/s（…）": the same with the outbox drained after
# the run (supervision, ratings and SMS delivered), six transitions each.
whole=$(echo "$out" | sed -n 's/^含后续投递：\([0-9.]*\) lifecycles.*/\1/p')
awk -v a="$trans" -v b="$tps" 'BEGIN { printf "banhao %.0f transitions/s ÷ pgbench %.0f tps = %.2f\n", a, b, a / b }'
awk -v a="$whole" -v b="$tps" 'BEGIN { printf "with outbox delivery: banhao %.0f transitions/s ÷ pgbench %.0f tps = %.2f\n", a * 6, b, a * 6 / b }'
