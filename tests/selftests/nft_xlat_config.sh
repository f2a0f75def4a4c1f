#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rule-load checks of the xlat expression: where it may stand, what it
# accepts, and the errno the kernel gives for each refused configuration
# (documented in include/uapi/linux/netfilter/nf_tables_xlat.h).  The rules
# go through nft-xlat-rule even when nft knows "xlat": a patched nft refuses
# these configurations itself, before the kernel could.  Ends with the
# module lifecycle: unloading is refused while a rule uses the expression.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

setup_ns ns
ip -n "$ns" link add d0 type dummy
ip -n "$ns" link set d0 up

ip netns exec "$ns" nft -f - <<EOF
table netdev nd {
	chain in { type filter hook ingress device d0 priority 0; }
	chain eg { type filter hook egress device d0 priority 0; }
}
table inet t {
	chain ing { type filter hook ingress device d0 priority 0; }
	chain pre { type filter hook prerouting priority -300; }
	chain post { type filter hook postrouting priority 100; }
	chain forward { type filter hook forward priority 0; }
	chain input { type filter hook input priority 0; }
	chain output { type filter hook output priority 0; }
	chain natpre { type nat hook prerouting priority -100; }
	chain natpost { type nat hook postrouting priority 100; }
	chain natin { type nat hook input priority 100; }
	chain natout { type nat hook output priority -100; }
	chain x { }
	chain y { }
	chain jpre { type filter hook prerouting priority -300; jump x; }
	chain jout { type filter hook output priority 0; }
	chain jnat { type nat hook postrouting priority 110; }
}
table ip t4 {
	chain pre { type filter hook prerouting priority -300; }
	chain post { type filter hook postrouting priority 100; }
	chain natpost { type nat hook postrouting priority 100; }
	chain route { type route hook output priority 0; }
}
table ip6 t6 {
	chain pre { type filter hook prerouting priority -300; }
	chain post { type filter hook postrouting priority 100; }
	chain natpre { type nat hook prerouting priority -100; }
}
EOF

# expect ERRNO-NAME DESCRIPTION -- FAMILY TABLE CHAIN xlat ...
expect() {
	local want=$1 what=$2 out got
	shift 3
	out=$(ip netns exec "$ns" "$XLAT_RULE_TOOL" add "$@" 2>&1)
	case $out in
	"") got=OK ;;
	*"Address family not supported"*) got=EAFNOSUPPORT ;;
	*"Operation not supported"*) got=EOPNOTSUPP ;;
	*"Protocol wrong type"*) got=EPROTOTYPE ;;
	*"Numerical result out of range"*) got=ERANGE ;;
	*"Cannot assign requested address"*) got=EADDRNOTAVAIL ;;
	*"Invalid argument"*) got=EINVAL ;;
	*) got="'$out'" ;;
	esac
	if [ "$got" = "$want" ]; then
		pass "$what: $want"
	else
		fail "$what: expected $want, got $got"
	fi
}

P=64:ff9b::/96
expect OK "netdev ingress, from" -- netdev nd in xlat from $P
expect OK "netdev ingress, to" -- netdev nd in xlat to $P
expect OK "inet ingress" -- inet t ing xlat from $P
expect OK "inet prerouting" -- inet t pre xlat to $P
expect OK "inet postrouting" -- inet t post xlat from $P
expect OK "ip prerouting, to" -- ip t4 pre xlat to $P
expect OK "ip postrouting, to" -- ip t4 post xlat to $P
expect OK "ip6 prerouting, from" -- ip6 t6 pre xlat from $P
expect OK "ip6 postrouting, from" -- ip6 t6 post xlat from $P
expect OK "regular chain reached from filter prerouting" -- inet t x xlat from $P
expect OK "CLAT form, separate prefixes" -- \
	inet t pre xlat to saddr 2001:db8:c1a7::/96 daddr 64:ff9b::/96
expect OK "options" -- inet t pre xlat to $P tclass zero udp-zero-checksum drop \
	icmp-source 192.0.2.254 mtu6 1400
for len in 32 40 48 56 64 96; do
	expect OK "prefix length /$len" -- inet t pre xlat from 2001:db8::/$len
done
expect OK "offload, inet postrouting" -- inet t post xlat from $P offload
expect OK "offload, ip postrouting" -- ip t4 post xlat to $P offload
expect OK "offload, ip6 postrouting" -- ip6 t6 post xlat from $P offload
expect OK "nat chain, inet prerouting" -- inet t natpre xlat from $P
expect OK "nat chain, inet postrouting" -- inet t natpost xlat to $P
expect OK "nat chain, ip postrouting" -- ip t4 natpost xlat to $P
expect OK "nat chain, ip6 prerouting" -- ip6 t6 natpre xlat from $P

expect EAFNOSUPPORT "ip table, from" -- ip t4 pre xlat from $P
expect EAFNOSUPPORT "ip6 table, to" -- ip6 t6 pre xlat to $P
expect EOPNOTSUPP "netdev egress" -- netdev nd eg xlat from $P
expect EOPNOTSUPP "inet forward" -- inet t forward xlat from $P
expect EOPNOTSUPP "inet input" -- inet t input xlat from $P
expect EOPNOTSUPP "inet output" -- inet t output xlat from $P
expect EOPNOTSUPP "offload, inet prerouting" -- inet t pre xlat to $P offload
expect EOPNOTSUPP "offload, inet ingress" -- inet t ing xlat from $P offload
expect EOPNOTSUPP "offload, netdev ingress" -- netdev nd in xlat from $P offload
expect EOPNOTSUPP "offload, regular chain reached from prerouting" -- \
	inet t x xlat from $P offload
expect EOPNOTSUPP "nat chain, input" -- inet t natin xlat from $P
expect EOPNOTSUPP "nat chain, output" -- inet t natout xlat from $P
expect EOPNOTSUPP "offload, nat chain postrouting" -- \
	inet t natpost xlat from $P offload
expect EPROTOTYPE "route chain" -- ip t4 route xlat to $P
for len in 0 24 33 95 97 128; do
	expect ERANGE "prefix length /$len" -- inet t pre xlat from 2001:db8::/$len
done
expect ERANGE "mtu6 below 1280" -- inet t pre xlat to $P mtu6 1279
expect ERANGE "source prefix length /60" -- \
	inet t pre xlat to saddr 2001:db8:c1a7::/60 daddr $P
expect EADDRNOTAVAIL "bits past the prefix length" -- \
	inet t pre xlat from 64:ff9b::1:2/96
expect EADDRNOTAVAIL "u-octet set" -- inet t pre xlat from 2001:db8:1:2:ff00::/64
expect EADDRNOTAVAIL "multicast prefix" -- inet t pre xlat from ff0e::/96
expect EADDRNOTAVAIL "IPv4-mapped prefix" -- inet t pre xlat from ::ffff:0:0/96

# Validation follows jumps: a regular chain holding xlat may not be reached
# from a chain where xlat is refused.
ip netns exec "$ns" "$XLAT_RULE_TOOL" add inet t y xlat from $P
if ip netns exec "$ns" nft add rule inet t jout jump y 2>/dev/null; then
	fail "jump from output to a chain holding xlat accepted"
else
	pass "jump from output to a chain holding xlat refused"
fi
if ip netns exec "$ns" nft add rule inet t jnat jump y 2>/dev/null; then
	pass "jump from a nat chain to a chain holding xlat accepted"
else
	fail "jump from a nat chain to a chain holding xlat refused"
fi
# One rule cannot bind connections and translate per packet both.
if ip netns exec "$ns" nft add rule inet t jpre jump y 2>/dev/null; then
	fail "a rule reached from a nat and a filter chain accepted"
else
	pass "a rule reached from a nat and a filter chain refused"
fi

# The rules read back as they were written.
listing=$(xlat_list "$ns" inet t pre)
if grep -q 'xlat to saddr 2001:db8:c1a7::/96 daddr 64:ff9b::/96' <<<"$listing" &&
   grep -q 'xlat to 64:ff9b::/96 tclass zero udp-zero-checksum drop icmp-source 192.0.2.254 mtu6 1400' <<<"$listing"; then
	pass "rules read back from the kernel unchanged"
else
	fail "rules read back from the kernel differ:"
	echo "$listing"
fi

# Module lifecycle: in use while rules hold it, unloadable once they are gone.
if grep -q '^nft_xlat ' /proc/modules; then
	if rmmod nft_xlat 2>/dev/null; then
		fail "nft_xlat unloaded while rules use it"
		insmod "$BUILD/nft_xlat.ko"
	else
		pass "unloading nft_xlat refused while rules use it"
	fi
	ip netns exec "$ns" nft flush ruleset
	if rmmod nft_xlat; then
		pass "nft_xlat unloads once no rule uses it"
	else
		fail "nft_xlat does not unload after the rules are gone"
	fi
	# An insmod-loaded module cannot be autoloaded through its alias
	# (nft-expr-xlat): load it again by path for the tests that follow.
	insmod "$BUILD/nft_xlat.ko" || fail "reloading nft_xlat"
else
	skip "module lifecycle: nft_xlat is not loaded as a module"
fi

exit $ret
