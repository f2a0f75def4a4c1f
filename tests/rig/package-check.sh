#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package-check.sh [RELEASE...] - the packages of make deb (build/deb/) on
# a Debian system, as an operator installs them, for each RELEASE (sid,
# trixie, bookworm; default trixie).  In a throwaway copy of the release's
# root:
#
#   apt-get install ./nft-xlat-dkms_*.deb ./nft-xlat-tools_*.deb
#     DKMS builds nft_xlat.ko for the root's kernel, modprobe finds it by
#     its alias, nft-xlat.service is enabled;
#   the operator's configuration: /etc/nftables.conf (stock nft: the
#     chains) and /etc/nft-xlat.rules (the xlat rules, as "save" writes
#     them), nftables.service enabled;
#   a boot of the copy by its own systemd, the rig loading nothing, and
#     tests/packages/booted.sh: both services up, the module autoloaded
#     from DKMS, the rules restored, traffic translated, and again after a
#     restart and a reload of nftables.service;
#   apt-get purge: no module, source, DKMS state or unit left behind.
#
# Ends with "N passed, N failed, N skipped".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/rig/common.sh
source tests/rig/common.sh
private_mounts "$0" "$@"

cache=$(nft_xlat_cache)
passed=0 failed=0 skipped=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

mapfile -t debs < <(ls build/deb/nft-xlat-dkms_*_all.deb build/deb/nft-xlat-tools_*_amd64.deb 2>/dev/null)
if [ ${#debs[@]} != 2 ]; then
	fail "no packages in build/deb/ (make deb)"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 1
fi

# The operator's configuration: the chains for stock nft, the xlat rules
# beside them (nft-xlat-rule(8), "Rules across reboots").
nftables_conf='#!/usr/sbin/nft -f
flush ruleset

table inet siit {
	chain from_client {
		type filter hook prerouting priority -300; policy accept;
		iifname "r6" ip6 daddr 64:ff9b::/96 jump xlat6to4
	}
	chain xlat6to4 {
	}
	chain to_client {
		type filter hook postrouting priority 100; policy accept;
		oifname "r6" meta nfproto ipv4 jump xlat4to6
	}
	chain xlat4to6 {
	}
}'
xlat_rules='# written by "nft-xlat-rule save"
add inet siit xlat6to4 counter xlat from 64:ff9b::/96
add inet siit xlat4to6 counter xlat to 64:ff9b::/96'

# check_in DIR DESCRIPTION SCRIPT [ARGS]: one check, run in the root DIR.
check_in() {
	local m=$1 what=$2 out
	shift 2
	if out=$(machine_run "$m" "$@" 2>&1); then
		pass "$what"
	else
		fail "$what:"
		tail -n 30 <<<"$out"
	fi
}

# shellcheck disable=SC2016 # the scripts run in the root
package_check() {
	local r=$1 root scratch m kver
	root=$(tests/rig/mkroot.sh "$r") || { fail "$r: no root"; return; }
	kver=$(kernel_release "$root") || { fail "$r: no kernel"; return; }
	scratch=$(mktemp -d "$cache/package-check.XXXXXX")
	m=$(overlay_up "$root" "$scratch") ||
		{ fail "$r: overlay"; overlay_down "$scratch"; return; }
	mkdir -p "$cache/apt-archives/$r" "$m/tmp/debs"
	mount --bind "$cache/apt-archives/$r" "$m/var/cache/apt/archives"
	cp "${debs[@]}" "$m/tmp/debs/"

	# DKMS builds for the kernels whose headers are installed; in a
	# chroot, uname -r is the host's, so name the root's kernel.
	check_in "$m" "$r: apt-get install of both packages builds nft_xlat.ko with DKMS for $kver" '
		set -e
		{ apt-get update && apt-get install -y systemd-sysv /tmp/debs/*.deb; } \
			>/tmp/apt.log 2>&1 || { tail -n 30 /tmp/apt.log; exit 1; }
		dkms status nft-xlat -k "$1" | tee /dev/stderr | grep -q ": installed"
		ls "/lib/modules/$1/updates/dkms/"nft_xlat.ko* # compressed like the kernel modules
	' "$kver"
	check_in "$m" "$r: modprobe resolves nft-expr-xlat (the autoload alias) to it" '
		modprobe -S "$1" --show-depends nft-expr-xlat |
			grep -q "updates/dkms/nft_xlat.ko"
	' "$kver"
	check_in "$m" "$r: nft-xlat.service is enabled by the package" '
		systemctl is-enabled nft-xlat.service | grep -qx enabled
	'
	printf '%s\n' "$nftables_conf" >"$m/etc/nftables.conf"
	printf '%s\n' "$xlat_rules" >"$m/etc/nft-xlat.rules"
	machine_run "$m" 'systemctl enable nftables.service' >/dev/null 2>&1

	echo "# package-check: $r: booting the installed system with its systemd"
	tests/rig/vm.sh -k "$r" -r "$m" -S -n -t 900 -- \
		bash tests/packages/booted.sh >"build/package-check-$r.log" 2>&1
	grep -E '^(PASS|FAIL|SKIP): ' "build/vm-runs/last-$r/output" 2>/dev/null |
		sed "s/^\([A-Z]*\): /\1: $r booted: /"
	local p f s
	p=$(grep -c '^PASS: ' "build/vm-runs/last-$r/output" 2>/dev/null)
	f=$(grep -c '^FAIL: ' "build/vm-runs/last-$r/output" 2>/dev/null)
	s=$(grep -c '^SKIP: ' "build/vm-runs/last-$r/output" 2>/dev/null)
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
	if [ "${p:-0}" = 0 ] || [ "$(cat "build/vm-runs/last-$r/rc" 2>/dev/null)" != 0 ]; then
		fail "$r: the booted system's checks did not complete (build/package-check-$r.log):"
		tail -n 30 "build/package-check-$r.log"
	fi

	check_in "$m" "$r: apt-get purge leaves no module, source, DKMS state or unit" '
		set -e
		apt-get purge -y nft-xlat-dkms nft-xlat-tools >/tmp/purge.log 2>&1 ||
			{ tail -n 20 /tmp/purge.log; exit 1; }
		left=$(find /lib/modules /usr/src /var/lib/dkms /lib/systemd /etc/systemd \
			\( -name "nft_xlat.ko*" -o -name "nft-xlat*" \) 2>/dev/null |
			grep -v nft-xlat-vm.service || true)
		[ -z "$left" ] || { echo "left behind: $left"; exit 1; }
		! modprobe -S "$1" --show-depends nft-expr-xlat 2>/dev/null
	' "$kver"
	overlay_down "$scratch"
}

[ $# -gt 0 ] || set -- trixie
for r in "$@"; do
	package_check "$(release_of "$r")"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
