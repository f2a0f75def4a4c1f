#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - the benchmark (make bench): nft_xlat against plain forwarding,
# Jool and Tayga, side by side in one VM run.  Installs the peers into the
# root (tests/rig/bench-setup.sh), builds nft_xlat.ko, boots the lab VM with
# tests/bench/bench.sh, and publishes the table, plots and raw numbers in
# Documentation/bench/.  Method: Documentation/bench/README.md.
#
#   bench.sh [-k RELEASE] [-n] [-B]
#
#   -k RELEASE  kernel (default trixie: 6.12, the newest Jool builds on)
#   -n          do not publish into Documentation/bench/ (the run stays in
#               build/bench/<id>/)
#   -B          do not build: measure build/RELEASE/nft_xlat.ko as it is
#
# Environment passed to the guest: BENCH_ROUNDS (5), BENCH_PPS_SECS (4),
# BENCH_TCP_SECS (2), BENCH_WARM_SECS (1), BENCH_STREAMS (4), BENCH_PERF (1),
# BENCH_PERF_CONFIGS, BENCH_SCALE_SIZES, BENCH_CT_BUCKETS, BENCH_CT_MAX,
# BENCH_CASES (regex of test ids: a subset, never published).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
release=trixie publish=1 build=1
while getopts "k:nBh" opt; do
	case $opt in
	k) release=$OPTARG ;;
	n) publish=0 ;;
	B) build=0 ;;
	*) sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
# shellcheck source=tests/rig/common.sh
source tests/rig/common.sh
release=$(release_of "$release")
cmd=${BENCH_COMMAND:-tests/rig/bench.sh $*}
start=$(date +%s)

host_setup
root=$(tests/rig/mkroot.sh "$release")
kver=$(kernel_release "$root")
# The peers: Jool builds on trixie's 6.12 only (4.1.x does not on 7.2).
if [ "$release" = trixie ]; then
	tests/rig/bench-setup.sh "$release"
else
	echo "bench: Jool and Tayga are installed for trixie only: their cases are skipped on $release" >&2
fi

# nft_xlat: measured when it builds, its cases skipped (and said so) if not.
xlat_skip=
xlat_version=$(git describe --always --dirty 2>/dev/null || echo unknown)
mkdir -p build
if [ "$build" = 0 ]; then
	ko=build/$release/nft_xlat.ko
	if [ -f "$ko" ]; then
		xlat_version="$ko as built at $(date -u -r "$ko" +%FT%TZ) (-B)"
	else
		xlat_skip="-B given and $ko does not exist"
	fi
elif [ ! -f Kbuild ]; then
	xlat_skip="the module is not in the tree yet (no Kbuild)"
elif ! tests/rig/kbuild.sh "$release" >"build/bench-kbuild-$release.log" 2>&1; then
	xlat_skip="the $release build failed (build/bench-kbuild-$release.log): $(grep -m 1 -E 'error:|\*\*\*' "build/bench-kbuild-$release.log" || tail -n 1 "build/bench-kbuild-$release.log")"
fi
[ -z "$xlat_skip" ] || echo "bench: nft_xlat cases skipped: $xlat_skip" >&2

id=$release-$(date -u +%Y%m%d-%H%M%S)
out=build/bench/$id
mkdir -p "$out"
ln -sfn "$id" build/bench/last

guest=()
for v in ROUNDS PPS_SECS TCP_SECS WARM_SECS STREAMS PERF PERF_CONFIGS CASES PREFIX \
	SCALE_SIZES CT_BUCKETS CT_MAX DEBUG; do
	eval "val=\${BENCH_$v:-}"
	[ -n "$val" ] && guest+=("BENCH_$v=$val")
done
[ ${#guest[@]} = 0 ] || guest=(env "${guest[@]}")
guest+=(tests/bench/bench.sh "$out")

q() { printf '%q' "$1"; }
{
	echo "command=$(q "$cmd")"
	echo "guest_command=$(q "${guest[*]}")"
	echo "release=$release"
	echo "qemu=$(q "$(qemu-system-x86_64 --version | sed -n 's/.*version \([^ ]*\).*/\1/p')")"
	echo "host_cpu=$(q "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)")"
	echo "host_cpus=$(nproc)"
	echo "host_load=$(q "$(cut -d' ' -f1-3 /proc/loadavg)")"
	echo "vm_cpus=2 vm_mem_mb=2048"
	echo "xlat_version=$(q "$xlat_version")"
	echo "xlat_skip=$(q "$xlat_skip")"
} >"$out/host.env"

echo "bench: $release ($kver), results in $out; a full run takes 30 to 40 minutes" >&2
rc=0
tests/rig/vm.sh -k "$release" ${xlat_skip:+-n} -t 3600 -- "${guest[@]}" || rc=$?
if [ "$rc" != 0 ] || [ ! -s "$out/results.md" ]; then
	echo "bench: the run failed (status $rc); logs in build/vm-runs/last-$release" >&2
	exit $(( rc ? rc : 1 ))
fi

if [ "$publish" = 1 ] && [ -z "${BENCH_CASES:-}" ]; then
	dst=Documentation/bench
	mkdir -p "$dst"
	rm -f "$dst"/profile-*.txt "$dst"/*.svg "$dst"/*.dat "$dst"/*.gp
	cp "$out"/results.md "$out"/raw.csv "$out"/meta.env "$out"/host.env \
		"$out"/skipped.txt "$dst"/
	cp "$out"/*.svg "$out"/*.dat "$out"/*.gp "$out"/profile-*.txt "$dst"/ 2>/dev/null || true
	echo "bench: published in $dst/results.md" >&2
fi
echo "bench: done in $(( $(date +%s) - start ))s: $out/results.md" >&2
