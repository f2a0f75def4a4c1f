#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the project's test command (make check).  From a bare Debian
# machine: installs the host packages, creates the Debian roots, runs the
# static checks and the README's commands on a bare machine, builds
# nft_xlat.ko for each kernel and runs the selftests in a VM of each, then
# builds the packages and installs, boots and purges them on each kernel.
# Ends with "N passed, N failed, N skipped".
#
#   KERNELS="sid trixie bookworm"   which kernels (also 7.2 6.12 6.1, and
#                                   debug: the debug kernel, make check-debug)
#   TESTS="tests/selftests/x.sh y"  a subset of the selftests (paths or names)
#   CHECK_PARALLEL=1                the VMs side by side (faster, tighter timing)
#   CHECK_PACKAGES=0                skip make deb and the packages' install,
#                                   boot and purge (package-check.sh)
#   CHECK_FRESH=0                   skip the bare-machine run of the README's
#                                   commands (fresh-machine.sh; skipped too
#                                   when KERNELS or TESTS is set)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/rig/common.sh
source tests/rig/common.sh

kernels=$(for k in ${KERNELS:-sid trixie bookworm}; do release_of "$k"; done)
start=$(date +%s)
passed=0 failed=0 skipped=0
summary=()

add_result() {	# label "N passed, N failed, N skipped" line
	local p f s
	read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' <<<"$2")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	skipped=$((skipped + ${s:-0}))
	summary+=("$1: ${p:-0} passed, ${f:-1} failed, ${s:-0} skipped")
}

mkdir -p build
host_setup || { echo "0 passed, 1 failed"; exit 1; }

# Roots are fetched in parallel: the network, not the CPU, bounds them.
for r in $(for k in $kernels; do root_of "$k"; done | sort -u); do
	tests/rig/mkroot.sh "$r" >/dev/null &
done
wait

line=$(tests/rig/static-checks.sh | tee -a /dev/stderr | tail -n 1)
add_result static "$line"

# The README's two commands on a bare bookworm machine (fresh-machine.sh);
# not for a subset, nor inside that machine (CHECK_FRESH=0).
if [ "${CHECK_FRESH:-1}" = 1 ] && [ -z "${KERNELS:-}${TESTS:-}" ]; then
	echo "# ==== fresh machine: make lab and make check with git and make only"
	line=$(tests/rig/fresh-machine.sh | tee -a /dev/stderr | tail -n 1)
	add_result "fresh machine" "$line"
fi

# sparse_check RELEASE: the module through sparse (C=2), where the root's
# sparse is one the kernel's makefile accepts (it says so otherwise: sid's
# is older than what 7.2 asks for).
sparse_check() {
	local r=$1 log=build/sparse-$1.log
	tests/rig/kbuild.sh "$r" C=2 >"$log" 2>&1
	if grep -q 'sparse is not available or not up to date' "$log"; then
		echo "SKIP: sparse for $r: the root's sparse is too old for its kernel"
		add_result "$r sparse" "0 passed, 0 failed, 1 skipped"
	elif ! grep -q '^  CHECK ' "$log" || grep -E 'warning:|error:' "$log"; then
		cat "$log"
		add_result "$r sparse" "0 passed, 1 failed, 0 skipped"
	else
		echo "PASS: sparse (C=2) for $r without warnings"
		add_result "$r sparse" "1 passed, 0 failed, 0 skipped"
	fi
}

# Builds first, then the VMs one after the other.  CHECK_PARALLEL=1 runs
# them side by side (the selftests spend much of their time waiting), at
# the price of tighter timing for every test.
runs=()
for r in $kernels; do
	echo "# ==== $r: build"
	log=build/kbuild-$r.log
	if ! tests/rig/kbuild.sh "$r" >"$log" 2>&1; then
		cat "$log"
		add_result "$r build" "0 passed, 1 failed, 0 skipped"
		continue
	fi
	if grep -E 'warning:|error:' "$log"; then
		add_result "$r build" "0 passed, 1 failed, 0 skipped"
	else
		echo "PASS: W=1 build for $r ($(cat "build/$r/kernel-release")) without warnings"
		add_result "$r build" "1 passed, 0 failed, 0 skipped"
	fi
	sparse_check "$r"
	runs+=("$r")
done

# vm_run RELEASE: the selftests in its VM, output in build/check-RELEASE.log.
# A guest that died before it started them (QEMU or virtiofsd that did not
# come up, a boot that failed under TCG) is booted once more: that says
# nothing of the module.  The first log is kept and named in the summary.
vm_run() {
	local r=$1 rc try
	rm -f "build/check-$r.boot-failure.log"
	for try in 1 2; do
		tests/rig/vm.sh -k "$r" -t "${VM_TIMEOUT:-$([ "$r" = debug ] && echo 5400 || echo 2700)}" \
			-- tests/rig/run.sh ${TESTS:-} >"build/check-$r.log" 2>&1
		rc=$?
		echo "$rc" >"build/check-$r.rc"
		if [ "$try" = 2 ] || [ "$rc" != 125 ] ||
		   [ -e "build/vm-runs/last-$r/output" ]; then
			break
		fi
		mv "build/check-$r.log" "build/check-$r.boot-failure.log"
	done
}

if [ "${CHECK_PARALLEL:-0}" = 1 ]; then
	for r in "${runs[@]}"; do
		vm_run "$r" &
	done
	wait
else
	for r in "${runs[@]}"; do
		vm_run "$r"
	done
fi

for r in "${runs[@]}"; do
	echo "# ==== $r: selftests in the VM"
	cat "build/check-$r.log"
	rc=$(cat "build/check-$r.rc")
	line=$(tail -n 1 "build/vm-runs/last-$r/output" 2>/dev/null)
	if [ "$rc" != 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$line"; then
		line=$(sed 's/ 0 failed/ 1 failed/' <<<"${line:-0 passed, 0 failed, 0 skipped}")
	fi
	add_result "$r" "$line"
done

# The packages (make deb), installed with apt in a copy of each root,
# booted by its systemd, purged (package-check.sh); not for a subset of
# the tests, nor with CHECK_PACKAGES=0.
mapfile -t pkg_releases < <(printf '%s\n' $kernels | grep -vx debug)
if [ "${CHECK_PACKAGES:-1}" = 1 ] && [ -z "${TESTS:-}" ] &&
   [ ${#pkg_releases[@]} -gt 0 ]; then
	echo "# ==== packages: make deb, then install, boot and purge on ${pkg_releases[*]}"
	if packaging/build-deb.sh >build/deb.log 2>&1; then
		tail -n 2 build/deb.log
		line=$(tests/rig/package-check.sh "${pkg_releases[@]}" | tee -a /dev/stderr | tail -n 1)
		add_result packages "$line"
	else
		tail -n 30 build/deb.log
		add_result "packages (make deb)" "0 passed, 1 failed, 0 skipped"
	fi
fi

echo "# ==== summary ($(( $(date +%s) - start ))s)"
for s in "${summary[@]}"; do
	echo "# $s"
done
# The end of a failed or retried VM run's log, where a reader of the last
# lines sees it: what vm.sh said of the guest.
for r in "${runs[@]}"; do
	if [ -f "build/check-$r.boot-failure.log" ]; then
		echo "# ---- $r: the first VM died before the tests started, booted again; it said:"
		tail -n 15 "build/check-$r.boot-failure.log" | sed 's/^/#   /'
	fi
	if [ "$(cat "build/check-$r.rc")" != 0 ]; then
		echo "# ---- $r: the VM run exited with $(cat "build/check-$r.rc"); its last lines:"
		tail -n 25 "build/check-$r.log" | sed 's/^/#   /'
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
