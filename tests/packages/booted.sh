#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside a VM booted by systemd from a root where nft-xlat-dkms and
# nft-xlat-tools were installed with apt (tests/rig/package-check.sh): the
# rig loaded nothing, so what runs is what an operator's router runs.
# nftables.service loaded /etc/nftables.conf (the chains) and
# nft-xlat.service restored /etc/nft-xlat.rules into them; the module came
# through its alias from DKMS's build.  This host is the translator of the
# lab topology (c6 - r6 [here] r4 - c4), its ruleset the boot's.
export XLAT_RULE_TOOL=/usr/sbin/nft-xlat-rule
# shellcheck source=../selftests/lib.sh
source "$(dirname "$0")/../selftests/lib.sh"

PFX=64:ff9b::/96
rules=/etc/nft-xlat.rules

for u in nftables.service nft-xlat.service; do
	if [ "$(systemctl is-active "$u")" = active ]; then
		pass "$u is active after the boot"
	else
		fail "$u is $(systemctl is-active "$u"):"
		systemctl status --no-pager "$u" | tail -n 15
	fi
done

ko=$(modinfo -n nft_xlat 2>/dev/null)
case $ko in
/lib/modules/"$(uname -r)"/updates/dkms/nft_xlat.ko | \
/lib/modules/"$(uname -r)"/updates/dkms/nft_xlat.ko.[xz][zs]*) dkms_ko=1 ;;
*) dkms_ko=0 ;;
esac
if grep -q '^nft_xlat ' /proc/modules && [ "$dkms_ko" = 1 ]; then
	pass "nft_xlat autoloaded from DKMS's build ($ko)"
else
	fail "nft_xlat: loaded $(grep -c '^nft_xlat ' /proc/modules), file '$ko'"
fi

saved() { grep -v '^#' "$1"; }
restored_match() {
	"$XLAT_RULE_TOOL" save >"$TMPD/now" &&
		diff -u <(saved "$rules") <(saved "$TMPD/now")
}
# After a restart or reload of nftables.service: systemctl returns when
# nftables.service is done; nft-xlat.service's own job follows it.
restored_after() {
	for _ in $(seq 50); do
		[ -z "$(systemctl list-jobs --no-legend)" ] &&
			restored_match >/dev/null && return 0
		sleep 0.2
	done
	restored_match
}
if restored_match; then
	pass "the xlat rules of $rules are in the ruleset, once"
else
	fail "the ruleset's xlat rules differ from $rules"
fi

# The lab topology around this host: rtr names this (the initial)
# namespace; not in NS_LIST, whose cleanup kills the processes inside.
ip netns attach nft-xlat-host 1 && rtr=nft-xlat-host
C6_V4=198.51.100.6 C4_V4=192.0.2.2
C6_ADDR=$(embed "$PFX" "$C6_V4")
C4_ADDR6=$(embed "$PFX" "$C4_V4")
setup_ns c6 c4
siit_links "$PFX" || fail "lab links"
sysctl -wq net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

ping_through() {	# what
	local before after
	before=$(xlat_counter "$rtr" inet siit xlat6to4 | cut -d' ' -f1)
	if ip netns exec "$c6" ping -q -c 3 -i 0.2 -W 2 "$C4_ADDR6" >/dev/null; then
		after=$(xlat_counter "$rtr" inet siit xlat6to4 | cut -d' ' -f1)
		if [ "$((after - before))" = 3 ]; then
			pass "$1: ping c6 -> c4 translated by the restored rules"
		else
			fail "$1: ping passed, but xlat6to4 counted $((after - before)) of 3"
		fi
	else
		fail "$1: ping c6 -> c4 through the boot's ruleset"
	fi
}
ping_through "after the boot"

# nftables.service flushes and reloads the ruleset; nft-xlat.service
# follows it (PartOf=, ReloadPropagatedFrom=).
systemctl restart nftables.service
if restored_after; then
	pass "restart of nftables.service: the xlat rules come back, once"
else
	fail "restart of nftables.service lost or doubled the xlat rules"
fi
ping_through "after a restart of nftables.service"
systemctl reload nftables.service
if restored_after; then
	pass "reload of nftables.service: the xlat rules come back, once"
else
	fail "reload of nftables.service lost or doubled the xlat rules"
fi
ping_through "after a reload of nftables.service"

# What a stock nft does to them, as the man page warns: "nft list ruleset
# > /etc/nftables.conf" keeps the chains, not the xlat rules.
if [ "$(xlat_nft_probe)" = tool ]; then
	n=$(nft list ruleset | grep -cE 'xlat (to|from)')
	if [ "$n" = 0 ]; then
		pass "stock nft lists no xlat rule (why $rules exists)"
	else
		fail "stock nft listed $n xlat lines"
	fi
fi

ip netns del "$rtr"
exit "$ret"
