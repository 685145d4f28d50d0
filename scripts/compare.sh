#!/bin/sh
# compare.sh alternates `banhao bench cases` of several binaries against a
# scratch PostgreSQL database, ROUNDS times each, and prints for every run
# lifecycles/s (API actions, and with the outbox delivered), this process's
# CPU per lifecycle and PostgreSQL's CPU per lifecycle (utime + stime of all
# postgres processes from /proc, so run it where PostgreSQL runs). The VM's
# speed varies from minute to minute: compare binaries within a round.
#
#   scripts/compare.sh SECONDS ROUNDS BINARY...
#   scripts/compare.sh 10 3 /tmp/banhao-before /tmp/banhao-after
set -eu
secs=$1; rounds=$2; shift 2
: "${PGHOST:=/var/run/postgresql}" "${PGUSER:=postgres}"
export PGHOST PGUSER
url="postgres://$PGUSER@/banhao_compare?host=$PGHOST"
hz=$(getconf CLK_TCK)
pgticks() { # utime + stime (+ children's) of every postgres process
	t=0
	for p in $(pgrep postgres); do
		for v in $(cut -d' ' -f14-17 /proc/$p/stat 2>/dev/null); do t=$((t + v)); done
	done
	echo $t
}
trap 'dropdb --if-exists banhao_compare 2>/dev/null' EXIT
for r in $(seq "$rounds"); do
	for b in "$@"; do
		dropdb --if-exists banhao_compare 2>/dev/null; createdb banhao_compare
		"$b" migrate --db "$url" >/dev/null 2>&1
		a=$(pgticks)
		out=$("$b" bench cases --db "$url" --clients 8 --duration "${secs}s" 2>&1)
		z=$(pgticks)
		n=$(echo "$out" | sed -n 's/^完成 \([0-9]*\) 个全流程.*/\1/p')
		l=$(echo "$out" | sed -n 's/^吞吐：\([0-9.]*\) lifecycles.*/\1/p')
		w=$(echo "$out" | sed -n 's/^含后续投递：\([0-9.]*\) lifecycles.*/\1/p')
		c=$(echo "$out" | sed -n 's/^每个全流程：本进程 CPU \([0-9.]*\)ms.*/\1/p')
		pg=$(echo "scale=2; ($z - $a) * 1000 / $hz / $n" | bc)
		echo "round $r $(basename "$b"): $l lifecycles/s, $w with delivery; CPU per lifecycle: banhao ${c} ms, PostgreSQL ${pg} ms (load $(cut -d' ' -f1 /proc/loadavg))"
	done
done
