#!/usr/bin/env bash
# make bench: taod's benchmarks (issue 2), printed raw (benchstat's input
# format) as they run, then summarised.
#
#   BENCH_LARGE=0   leave out the 1M-account transfer cases (about 3 of the
#                   5 minutes the whole run takes on 2 cores)
#   BENCH_TIME=20x  ops per transfer case (an op is 10,000 transfers)
#   BENCH_OUT=file  keep the raw output (default: a temporary file)
#
# What each figure counts is written beside its benchmark:
#   types.BenchmarkDecodeAndRecover     decode a signed tx + recover its sender
#   state.BenchmarkTransfers            propose + commit (taod) vs. the raw trie
#   state.BenchmarkRSS100kTransfers     resident memory after 100,000 transfers
#   chain.BenchmarkExecuteBlock         a validator executing a peer's block
#   txpool.BenchmarkAddEvicting         ns/evicting-add: Add into a full queue
set -euo pipefail
cd "$(dirname "$0")/.."

bench_time=${BENCH_TIME:-20x}
out=${BENCH_OUT:-$(mktemp -t taod-bench.XXXXXX)}
: >"$out"

# run PACKAGE BENCH-REGEXP BENCHTIME [VAR=value...]: one go test process per
# call, so each benchmark's memory and Pebble instances are its own.
run() {
	local pkg=$1 re=$2 bt=$3
	shift 3
	env "$@" go test -run '^$' -bench "$re" -benchtime "$bt" -timeout 60m "$pkg" |
		grep -Ev '^(goos|goarch|pkg|cpu|PASS)' | tee -a "$out"
}

echo "== taod benchmarks: $(nproc) cores, $(go env GOOS)/$(go env GOARCH), $(go version | cut -d' ' -f3), $(date -u +%FT%TZ)"
echo "-- signed-tx verify: decode + sender recovery"
echo "cgo: 0" | tee -a "$out" # a benchstat configuration line
run ./types/ '^BenchmarkDecodeAndRecover$' 2s CGO_ENABLED=0
if command -v "$(go env CC)" >/dev/null; then
	echo "cgo: 1" | tee -a "$out"
	run ./types/ '^BenchmarkDecodeAndRecover$' 2s CGO_ENABLED=1
else
	echo "CGO_ENABLED=1 skipped: no C compiler ($(go env CC))"
fi

echo "-- transfers applied and committed per second (taod beside the raw trie)"
large=${BENCH_LARGE:-1}
[ "$large" = 0 ] && large=
run ./state/ '^BenchmarkTransfers$' "$bench_time" BENCH_LARGE="$large"

echo "-- validator path: a peer's block decoded, executed, committed"
run ./chain/ '^BenchmarkExecuteBlock$' 5x

echo "-- memory"
# GOMEMLIMIT as taod start sets it ([storage] go_memory_limit_mb, default 128).
run ./state/ '^BenchmarkRSS100kTransfers$' 1x GOMEMLIMIT=128MiB

echo "-- consensus engine: one height's messages (with and without signature checks)"
run ./consensus/ '^BenchmarkHeight' 1s
echo "-- Yuma epoch engine (4,096 UIDs x 256 validators dense and 10% sparse; the plain pass reads every weight once)"
run ./subnet/yuma/ '^BenchmarkEpoch|^BenchmarkPlainPass' 5x
echo "-- subnets in the chain: a 4,096-UID metagraph read, a whole subnet epoch with state I/O"
run ./chain/ '^BenchmarkMetagraph4096$|^BenchmarkSubnetEpoch4096x256$' 3x
echo "-- txpool: 10,000 Adds from 1,000 senders + Pending(2000); an Add evicting from a full queue; Pending(2000) of 10,000 senders"
run ./txpool/ '^BenchmarkAdd10kPending2000$|^BenchmarkAddEvicting$|^BenchmarkPending10kSenders$' 5x

# metric UNIT: the value printed before UNIT on the current line.
awk '
function metric(unit,   i) { for (i = 2; i < NF; i++) if ($(i + 1) == unit) return $i; return "" }
function fmt(x) { return x == "" ? "-" : sprintf("%.0f", x) }
/^cgo: / { cgo = $2 }
/^BenchmarkDecodeAndRecover/ { verify[cgo] = metric("tx/s") }
/^BenchmarkTransfers\/.*\/raw/ {
	split($1, p, "/"); key = p[2] " " p[3]; sub(/accounts=/, "", key); sub(/block=/, "", key)
	raw[key] = metric("tx/s"); if (!(key in seen)) { seen[key] = 1; order[++n] = key }
}
/^BenchmarkTransfers\/.*\/taod/ {
	split($1, p, "/"); key = p[2] " " p[3]; sub(/accounts=/, "", key); sub(/block=/, "", key)
	taod[key] = metric("tx/s"); p50[key] = metric("commit-p50-ms"); p99[key] = metric("commit-p99-ms")
	if (!(key in seen)) { seen[key] = 1; order[++n] = key }
}
/^BenchmarkExecuteBlock/ { exec = metric("tx/s") }
/^BenchmarkRSS100kTransfers/ { rss = metric("rss-MB"); peak = metric("peak-rss-MB"); heap = metric("heap-inuse-MB"); gomb = metric("go-MB") }
END {
	print ""
	print "== summary"
	print "signed-tx verify (decode + sender recovery), one core:"
	printf "  CGO_ENABLED=0  %10s tx/s\n", fmt(verify[0])
	printf "  CGO_ENABLED=1  %10s tx/s", fmt(verify[1])
	if (verify[0] > 0 && verify[1] > 0) printf "   (cgo %.1fx faster)", verify[1] / verify[0]
	print ""
	print "transfers applied + committed per second, Pebble on disk, fsync per block:"
	printf "  %-9s %-6s %12s %12s %9s %15s %15s\n", "accounts", "block", "taod tx/s", "raw tx/s", "taod/raw", "commit p50 ms", "commit p99 ms"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, " ")
		ratio = (raw[k] > 0 && taod[k] != "") ? sprintf("%.0f%%", 100 * taod[k] / raw[k]) : "-"
		printf "  %-9s %-6s %12s %12s %9s %15s %15s\n", f[1], f[2], fmt(taod[k]), fmt(raw[k]), ratio, p50[k] == "" ? "-" : p50[k], p99[k] == "" ? "-" : p99[k]
	}
	printf "validator path (decode, parallel sender recovery, execute, commit), 10k accounts, blocks of 10,000: %s tx/s\n", fmt(exec)
	printf "RSS after 100,000 transfers (100k accounts, blocks of 10,000): %s MB (peak %s MB, Go runtime %s MB, Go heap in use %s MB)\n", rss == "" ? "-" : rss, peak == "" ? "-" : peak, gomb == "" ? "-" : gomb, heap == "" ? "-" : heap
	print "targets: >= 20,000 transfers/s at 10k accounts; taod/raw >= 70% at every size; RSS < 200 MB"
}' "$out"
[ -n "${BENCH_OUT:-}" ] || rm -f "$out"
