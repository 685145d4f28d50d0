#!/usr/bin/env bash
# Counts the SQL statements one case lifecycle costs on PostgreSQL, a figure
# that, unlike lifecycles/s, does not depend on what else the machine runs.
# It runs `banhao bench cases` with one client for N lifecycles against a
# scratch database whose statements PostgreSQL logs (log_statement=all),
# lets the outbox drain, and counts the logged statements after the bench's
# upload (API actions, jobs and outbox delivery alike), per lifecycle.
#
# usage: scripts/statements.sh BINARY [N]   (Debian's PostgreSQL 15 log file; PGLOG to override)
# The per-statement table is written to /tmp/<binary name>.stm.
set -eo pipefail
bin=$1; n=${2:-100}; db=banhao_statements_$$
psql -U postgres -h /var/run/postgresql -qc "create database $db" -c "alter database $db set log_statement='all'" 2>/dev/null
L=${PGLOG:-/var/log/postgresql/postgresql-15-main.log}; n0=$(wc -l < $L)
"$bin" bench cases --db "postgres://postgres@/$db?host=/var/run/postgresql" --clients 1 --lifecycles $n 2>&1 | grep -E "吞吐|含后续|每个" >&2
# let the old binary's outbox drain too
"$bin" job run outbox --db "postgres://postgres@/$db?host=/var/run/postgresql" >/dev/null 2>&1 || true # busy lease: the bench drained it
sleep 1
tail -n +$n0 $L | grep "$db LOG" | sed -E 's/^.*LOG:  //; s/execute stmtcache_[0-9a-f]+: //; s/execute <unnamed>: //' | cut -c1-70 > /tmp/$db.txt
s=$(grep -m1 -n "SELECT hash FROM blobs WHERE hash IN" /tmp/$db.txt | cut -d: -f1)
sed -n "$s,\$p" /tmp/$db.txt | grep -v "ping\|pg_stat_database\|job_leases\|COUNT(\*) FROM outbox WHERE delivered_at IS NULL" > /tmp/$db.body
total=$(wc -l < /tmp/$db.body); commits=$(grep -c "^statement: commit" /tmp/$db.body)
echo "statements/lifecycle: $(echo "scale=1; $total/$n" | bc)  explicit commits/lifecycle: $(echo "scale=1; $commits/$n" | bc)"
sort /tmp/$db.body | uniq -c | sort -rn | awk -v n=$n '{c=$1; $1=""; printf "%6.2f %s\n", c/n, $0}' > /tmp/$(basename $bin).stm
psql -U postgres -h /var/run/postgresql -qc "drop database $db" 2>/dev/null
