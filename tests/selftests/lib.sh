#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the nft_xlat selftests, in the manner of the kernel's
# tools/testing/selftests/net/lib.sh: namespaces with unique names, cleanup
# on exit, ksft exit codes, one PASS:/FAIL:/SKIP: line per check.
# shellcheck disable=SC2034,SC2154	# variables used by the sourcing scripts;
#                                      c6, rtr, c4...: set by setup_ns (eval)

ksft_pass=0
ksft_fail=1
ksft_skip=4

ret=0
NS_LIST=()
SRC=${NFT_XLAT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=$SRC/build/${NFT_XLAT_RELEASE:-sid}
XLAT_RULE_TOOL=${XLAT_RULE_TOOL:-$BUILD/nft-xlat-rule}
TMPD=$(mktemp -d /tmp/nft-xlat-test.XXXXXX)

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; ret=$ksft_fail; }
skip() { echo "SKIP: $*"; [ "$ret" = 0 ] && ret=$ksft_skip; }

checktool() {	# "command" "what for"
	if ! eval "$1" >/dev/null 2>&1; then
		echo "SKIP: could not $2"
		exit $ksft_skip
	fi
}

# setup_ns NAME...: create namespaces named NAME-<random>, export each name
# in the variable NAME, bring lo up, keep rp_filter off.
setup_ns() {
	local __var __ns
	for __var in "$@"; do
		__ns="$__var-$(mktemp -u XXXXXX)"
		ip netns add "$__ns" || return 1
		NS_LIST+=("$__ns")
		eval "$__var=$__ns"
		ip -n "$__ns" link set lo up
		ip netns exec "$__ns" sysctl -wq net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
}

cleanup_all_ns() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

lib_cleanup() {
	cleanup_all_ns
	rm -rf "$TMPD"
}
trap lib_cleanup EXIT

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or time runs out.
busywait() {
	local timeout=$1 start
	shift
	start=$(date +%s%3N)
	until "$@"; do
		[ $(( $(date +%s%3N) - start )) -gt "$timeout" ] && return 1
		sleep 0.1
	done
}

# listening NS PORT: a TCP socket listens on PORT in NS (for busywait).
# yields VALUE CMD [ARGS...]: CMD prints VALUE.  For busywait, which runs
# its command again each time ("test "$(cmd)" = 0" would compare once).
yields() { [ "$("${@:2}")" = "$1" ]; }

listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# xlat_load_module: insmod the module under test, as the guest init does
# (its dependencies first, where the kernel has them as modules).
xlat_load_module() {
	local ko=$BUILD/nft_xlat.ko dep deps=()
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		[ -d "/sys/module/$dep" ] || deps+=("$dep")
	done
	if [ ${#deps[@]} -gt 0 ] && [ -d "/lib/modules/$(uname -r)" ]; then
		modprobe -a "${deps[@]}" || return 1
	fi
	insmod "$ko"
}

# Rule installation.  nft learns "xlat" from the project's patch series;
# stock nft neither parses nor lists it.  Probe once, then install every
# xlat rule through nft when it understands the statement and through
# nft-xlat-rule otherwise: both send the same netlink rule.
xlat_nft_probe() {
	local ns
	if [ -z "${XLAT_NFT_PATH:-}" ]; then
		ns=xlatprobe-$$
		ip netns add "$ns"
		if ip netns exec "$ns" nft -f - >/dev/null 2>&1 <<-EOT
		table inet probe {
			chain c { type filter hook prerouting priority -300;
				  xlat from 64:ff9b::/96; }
		}
		EOT
		then
			XLAT_NFT_PATH=nft
		else
			XLAT_NFT_PATH=tool
		fi
		ip netns del "$ns"
		export XLAT_NFT_PATH
	fi
	echo "$XLAT_NFT_PATH"
}

# xlat_do NS add|list FAMILY TABLE CHAIN [ARGS...]: "nft add rule" or
# "nft list chain" where nft knows xlat, the same verb of nft-xlat-rule
# otherwise (a stock nft would show a chain holding xlat rules as empty).
xlat_do() {
	local ns=$1 verb=$2
	shift 2
	if [ "$(xlat_nft_probe)" = tool ]; then
		ip netns exec "$ns" "$XLAT_RULE_TOOL" "$verb" "$@"
	elif [ "$verb" = add ]; then
		ip netns exec "$ns" nft add rule "$@"
	else
		ip netns exec "$ns" nft list chain "$@"
	fi
}

# xlat_rule NS FAMILY TABLE CHAIN [counter] xlat ...
xlat_rule() { xlat_do "$1" add "${@:2}"; }

# xlat_list NS FAMILY TABLE CHAIN: the chain's rules, read back from the
# kernel.
xlat_list() { xlat_do "$1" list "${@:2}"; }

# xlat_counter NS FAMILY TABLE CHAIN: "PACKETS BYTES" of the first counter
# in the chain.
xlat_counter() {
	xlat_list "$@" |
		sed -n 's/.*counter packets \([0-9]*\) bytes \([0-9]*\).*/\1 \2/p' |
		head -n 1
}

# nft_counter NS FAMILY TABLE NAME: packets of a named counter.
nft_counter() {
	ip netns exec "$1" nft list counter "$2" "$3" "$4" |
		sed -n 's/.*packets \([0-9]*\) bytes.*/\1/p'
}

# embed PREFIX IPV4: the RFC 6052 IPv4-embedded IPv6 address.
embed() {
	python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import xlat_ref; print(xlat_ref.embed(sys.argv[2], sys.argv[3]))" \
		"$SRC/tests/selftests" "$1" "$2"
}

# setup_siit_topology PREFIX: three namespaces, the translator in the middle.
#
#   c6 (IPv6 only)              rtr (translator)              c4 (IPv4 only)
#   2001:db8:6::2/64  --veth--  2001:db8:6::1 | 192.0.2.1  --veth--  192.0.2.2/24
#     c6-r                       r6         r4                   c4-r
#   PREFIX::198.51.100.6/128                                 sees c6 as 198.51.100.6
#   sees c4 as PREFIX::192.0.2.2
#
# Sets c6, rtr, c4 (namespace names), C6_V4, C4_V4, C6_ADDR (c6's
# IPv4-translatable address) and C4_ADDR6 (c4 seen from IPv6).  rtr has
# the routes every placement needs: the IPv6 route to C6_ADDR, and for
# translation at postrouting an IPv4 route to C6_V4 through r6 and an IPv6
# route to the prefix through r4.
setup_siit_topology() {
	local pfx=$1
	C6_V4=198.51.100.6
	C4_V4=192.0.2.2
	C6_ADDR=$(embed "$pfx" "$C6_V4")
	C4_ADDR6=$(embed "$pfx" "$C4_V4")
	setup_ns c6 rtr c4
	siit_links "$pfx"
	ip netns exec "$rtr" sysctl -wq net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
}

# siit_links PREFIX: the veth pairs, addresses and routes of
# setup_siit_topology in its namespaces (also to recreate them there).
siit_links() {
	local pfx=$1
	ip link add c6-r netns "$c6" type veth peer name r6 netns "$rtr" &&
	ip link add c4-r netns "$c4" type veth peer name r4 netns "$rtr" ||
		return 1
	ip -n "$c6" link set c6-r up
	ip -n "$rtr" link set r6 up
	ip -n "$rtr" link set r4 up
	ip -n "$c4" link set c4-r up
	ip -n "$c6" addr add 2001:db8:6::2/64 dev c6-r nodad
	ip -n "$c6" addr add "$C6_ADDR/128" dev c6-r nodad
	ip -n "$c6" route add "$pfx" via 2001:db8:6::1 src "$C6_ADDR"
	ip -n "$rtr" addr add 2001:db8:6::1/64 dev r6 nodad
	ip -n "$rtr" addr add 192.0.2.1/24 dev r4
	ip -n "$rtr" route add "$C6_ADDR/128" via 2001:db8:6::2 dev r6
	ip -n "$rtr" route add "$C6_V4/32" dev r6
	ip -n "$rtr" route add "$pfx" dev r4
	ip -n "$c4" addr add "$C4_V4/24" dev c4-r
	ip -n "$c4" route add 198.51.100.0/24 via 192.0.2.1
}

# nat64_without_bib: tests/lab/nat64.nft without the bib map and the eif
# and learn chains that use it, for an nft that cannot build the map
# (bookworm's 1.0.6); filtering is then address-and-port dependent.
nat64_without_bib() {
	sed '/^\s*map bib {/,/^\s*}$/d; /^\s*chain eif {/,/^\s*}$/d; /^\s*chain learn {/,/^\s*}$/d' \
		"$SRC/tests/lab/nat64.nft"
}

# xlat_netdev_rules NS PREFIX [counter]: the netdev ingress placement on
# setup_siit_topology's translator: what r6 receives for PREFIX goes to
# "xlat from", what r4 receives from 192.0.2.0/24 to "xlat to".  The base
# chains jump to chain x of tables xlat6 and xlat4, which holds the rule.
xlat_netdev_rules() {
	local ns=$1 pfx=$2 counter=${3:-}
	ip netns exec "$ns" nft -f - <<-EOF || return 1
	table netdev xlat6 {
		chain x { }
		chain in { type filter hook ingress device r6 priority 0;
			   ip6 daddr $pfx jump x; }
	}
	table netdev xlat4 {
		chain x { }
		chain in { type filter hook ingress device r4 priority 0;
			   ip saddr 192.0.2.0/24 jump x; }
	}
	EOF
	# shellcheck disable=SC2086	# counter: one word or none
	xlat_rule "$ns" netdev xlat6 x $counter xlat from "$pfx" &&
	xlat_rule "$ns" netdev xlat4 x $counter xlat to "$pfx"
}

# The placements the SIIT tests share, on a translator with devices r6
# (IPv6 side) and r4 (IPv4 side): what r6 receives for PREFIX is
# translated "from", what r4 receives matching XLAT_IN4 (default: from
# 192.0.2.0/24, setup_siit_topology's IPv4 hosts) "to".  Each xlat rule
# has a counter and sits in a regular chain the base chains jump to.

# xlat_prerouting_rules NS PREFIX: ip6/ip prerouting at -450, before
# defrag and conntrack; chain x of tables ip6 xlat6 and ip xlat4.
xlat_prerouting_rules() {
	local ns=$1 pfx=$2
	ip netns exec "$ns" nft -f - <<-EOF || return 1
	table ip6 xlat6 {
		chain x { }
		chain pre { type filter hook prerouting priority -450;
			    iifname "r6" ip6 daddr $pfx jump x; }
	}
	table ip xlat4 {
		chain x { }
		chain pre { type filter hook prerouting priority -450;
			    iifname "r4" ${XLAT_IN4:-ip saddr 192.0.2.0/24} jump x; }
	}
	EOF
	xlat_rule "$ns" ip6 xlat6 x counter xlat from "$pfx" &&
	xlat_rule "$ns" ip xlat4 x counter xlat to "$pfx"
}

# xlat_post_rules NS PREFIX 4|6 [EXTRA]: translation on the way in before
# conntrack and on the way out after it, on one side.  4: the flows are
# tracked as IPv4 (6->4 at r6 ingress, 4->6 at r6 postrouting); 6: as IPv6
# (4->6 at r4 ingress, 6->4 at r4 postrouting).  Chains x6 and x4 of table
# inet xlat; EXTRA (a forward chain counting ct states) joins that table.
xlat_post_rules() {
	local ns=$1 pfx=$2 in out
	if [ "$3" = 4 ]; then
		in="chain in6 { type filter hook ingress device r6 priority 0;
			    ip6 daddr $pfx jump x6; }"
		out='oifname "r6" meta nfproto ipv4 jump x4'
	else
		in="chain in4 { type filter hook ingress device r4 priority 0;
			    ${XLAT_IN4:-ip saddr 192.0.2.0/24} jump x4; }"
		out='oifname "r4" meta nfproto ipv6 jump x6'
	fi
	ip netns exec "$ns" nft -f - <<-EOF || return 1
	table inet xlat {
		chain x6 { }
		chain x4 { }
		$in
		chain post { type filter hook postrouting priority 100;
			     $out; }
		${4:-}
	}
	EOF
	xlat_rule "$ns" inet xlat x6 counter xlat from "$pfx" &&
	xlat_rule "$ns" inet xlat x4 counter xlat to "$pfx"
}

# Probe once, here, so that later $(xlat_nft_probe) subshells inherit it.
xlat_nft_probe >/dev/null
