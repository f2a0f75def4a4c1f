#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fresh-machine.sh - the README's two commands on a Debian bookworm machine
# that has nothing but git and make, as a new user runs them.  CI's machine
# has the host packages installed by earlier runs, which hid a broken first
# run once; this builds the bare machine instead: a minbase bookworm made by
# debootstrap with git and make only (cached: it is the machine before the
# project touched it), a throwaway overlay on it per run, a fresh clone of
# HEAD inside, and there
#
#   make lab                                   the main job, as written
#   KERNELS=... TESTS=... make check           the test command on a subset
#
# Both must install their host packages themselves (QEMU, debootstrap,
# checkpatch's perl, shellcheck).  The Debian roots, the checkpatch copy and
# the initramfs images are shared with this machine's cache (bind-mounted at
# the same place in the bare machine), so a run costs minutes, not the
# roots' download.  Ends with "N passed, N failed, N skipped".
#
#   FRESH_KERNEL=bookworm             the kernel of the short make check
#   FRESH_TESTS=tests/selftests/...   its tests
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/rig/common.sh
source "$top/tests/rig/common.sh"
private_mounts "$0" "$@"
cache=$(nft_xlat_cache)
base=$cache/fresh-machine/bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
kernel=${FRESH_KERNEL:-bookworm}
tests=${FRESH_TESTS:-tests/selftests/nft_xlat_stats.sh}
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed, 0 skipped"; exit $((failed > 0)); }

host_setup || { fail "host packages of this machine"; finish; }
mkdir -p "$cache/fresh-machine"
exec 9>"$cache/fresh-machine/.lock"
flock 9

if [ ! -f "$base/.nft-xlat-fresh" ]; then
	echo "# fresh-machine: debootstrapping a bare bookworm (git, make) in $base" >&2
	rm -rf "$base.tmp"
	if ! debootstrap --variant=minbase --include=git,make,ca-certificates \
		bookworm "$base.tmp" "$mirror" >"$base.log" 2>&1; then
		tail -n 20 "$base.log"
		fail "debootstrap of the bare bookworm machine"
		finish
	fi
	echo 'Acquire::Check-Valid-Until "false";' \
		>"$base.tmp/etc/apt/apt.conf.d/99nft-xlat"
	# Nothing of the project's is on it, and no package list either: the
	# README's first command starts from here.
	rm -rf "$base.tmp"/var/lib/apt/lists/* "$base.tmp"/var/cache/apt/*.bin
	touch "$base.tmp/.nft-xlat-fresh"
	mv "$base.tmp" "$base"
fi

run=$(mktemp -d "$cache/fresh-machine/run.XXXXXX")
trap 'overlay_down "$run"' EXIT
log=$top/build/fresh-machine.log
mkdir -p "$top/build"
# What the user clones: this tree's HEAD (uncommitted changes are not in
# it), as a bare repository the bare machine can read.
git clone -q --bare "$top" "$run/origin.git" ||
	{ fail "git clone of $top"; finish; }
m=$(overlay_up "$base" "$run") || { fail "overlay on $base"; finish; }
mkdir -p "$m/root/.cache/nft-xlat" "$m/mnt/origin"
mount --bind "$cache" "$m/root/.cache/nft-xlat"
mount --bind -o ro "$run/origin.git" "$m/mnt/origin"

# What the new user types, with the time of each command.
# shellcheck disable=SC2016 # expanded in the bare machine
machine_run "$m" '
set -u
cd /root
git clone -q /mnt/origin nft-xlat || exit 10
cd nft-xlat
s=$(date +%s)
make lab; rc=$?
echo "# fresh-machine: make lab exited $rc after $(( $(date +%s) - s ))s"
[ $rc = 0 ] || exit 11
s=$(date +%s)
KERNELS="$1" TESTS="$2" CHECK_FRESH=0 make check; rc=$?
echo "# fresh-machine: make check exited $rc after $(( $(date +%s) - s ))s"
[ $rc = 0 ] || exit 12
' "$kernel" "$tests" >"$log" 2>&1
rc=$?

grep '^# fresh-machine:' "$log"
if [ "$rc" = 10 ]; then
	tail -n 20 "$log"
	fail "git clone in the bare machine"
	finish
fi
# (Not anchored: the guest's console ends its lines with CR LF.)
if [ "$rc" = 11 ] || ! grep -q 'The lab works\.' "$log"; then
	tail -n 40 "$log"
	fail "make lab on a bare bookworm machine (log: $log)"
	finish
fi
pass "make lab on a bare bookworm machine"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$line" ] && ! grep -q '^0 passed' <<<"$line" &&
   grep -q ' 0 failed' <<<"$line"; then
	pass "make check ($kernel, $tests) on a bare bookworm machine: $line"
else
	tail -n 40 "$log"
	fail "make check ($kernel, $tests) on a bare bookworm machine (log: $log)"
fi
finish
