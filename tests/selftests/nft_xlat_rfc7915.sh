#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RFC 7915 conformance: one check per requirement, named by RFC section,
# e.g. "PASS: rfc7915-4.1 traffic class copied from TOS [/96 ingress]".
#
# tests/conformance/rfc7915.py builds the cases (crafted packets, unique by a
# marker in every payload) and, with the byte-level reference translator of
# xlat_ref.py (written from the RFC text, not from the kernel code), the
# packet each one must become.  Per run, one process per direction sends a
# whole batch from c6 or c4; tcpdump -Q in at both ends captures what comes
# out of the translator and what it sends back; one verify pass at the end
# compares everything byte for byte, masking only the IPv4 Identification of
# unfragmented 6->4 packets (and so the checksums over it).  Where the
# translator's namespace has /proc/net/stat/nft_xlat, the counter a dropped
# case names must have moved while that case was sent; without the file
# those checks are SKIPs.
#
# Runs (Documentation/rfc7915-conformance.md has the table):
#   /96 at netdev ingress: every case
#   /32 /40 /48 /56 /64 at netdev ingress: the RFC 6052 address cases
#   /96 at prerouting, postrouting-4to6 (post4) and postrouting-6to4
#   (post6): UDP and an ICMP error each way
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

CONF=$SRC/tests/conformance/rfc7915.py
PFX96=2001:db8:64::/96
PREFIXES=${PREFIXES:-3fff:64::/32 2001:db8:100::/40 2001:db8:122::/48 2001:db8:122:300::/56 2001:db8:122:344::/64}
PLACES=${PLACES:-prerouting post4 post6}

checktool "tcpdump --version" "run the test without tcpdump"
checktool "python3 -c 'import socket; socket.AF_PACKET'" "run the test without python3"

rules_ingress() { xlat_netdev_rules "$rtr" "$PFX"; }

rules_prerouting() { xlat_prerouting_rules "$rtr" "$PFX"; }

ct_chain='chain forward { type filter hook forward priority 0;
		ct state established counter; ct state new counter; }'

# 6->4 at r6 ingress, 4->6 at r6 postrouting: tracked as IPv4.
rules_post4() { xlat_post_rules "$rtr" "$PFX" 4 "$ct_chain"; }

# 4->6 at r4 ingress, 6->4 at r4 postrouting: tracked as IPv6.
rules_post6() { xlat_post_rules "$rtr" "$PFX" 6 "$ct_chain"; }

# The end hosts answer none of the probes (port unreachable, echo reply,
# RST): what reaches the translator is what the cases send.
quiet_hosts() {
	local ns
	for ns in "$c4" "$c6"; do
		ip netns exec "$ns" nft -f - <<-EOF
		table inet quiet {
			chain out { type filter hook output priority 0;
				icmp type { echo-reply, destination-unreachable, time-exceeded, parameter-problem } drop
				icmpv6 type { echo-reply, destination-unreachable, packet-too-big, time-exceeded, parameter-problem } drop
				tcp flags rst drop
			}
		}
		EOF
	done
}

RUNS=()
# run_one LABEL PREFIX PLACEMENT SUBSET
run_one() {
	local label=$1 placement=$3 subset=$4 d hold t4 t6 r4mac r6mac t0 p6
	t0=$(date +%s)
	PFX=$2
	d=$TMPD/run${#RUNS[@]}
	mkdir -p "$d"
	cleanup_all_ns
	setup_siit_topology "$PFX"
	ip netns exec "$rtr" sysctl -wq net.ipv4.icmp_ratelimit=0 \
		net.ipv6.icmp.ratelimit=0
	if ! "rules_$placement"; then
		fail "$label: loading the xlat rules"
		return
	fi
	r6mac=$(ip -n "$rtr" -br link show r6 | awk '{print $3}')
	r4mac=$(ip -n "$rtr" -br link show r4 | awk '{print $3}')
	ip netns exec "$rtr" sleep 600 &
	hold=$!
	ip netns exec "$c4" tcpdump -Q in -Uni c4-r -w "$d/got4.pcap" ip \
		2>"$d/td4.err" &
	t4=$!
	ip netns exec "$c6" tcpdump -Q in -Uni c6-r -w "$d/got6.pcap" ip6 \
		2>"$d/td6.err" &
	t6=$!
	# neighbours resolved before the batches (the pings carry no marker)
	ip netns exec "$c6" ping -q -c 1 -W 3 "$C4_ADDR6" >/dev/null 2>&1 &
	p6=$!
	ip netns exec "$c4" ping -q -c 1 -W 3 "$C6_V4" >/dev/null 2>&1 ||
		echo "# $label: ping c4 -> c6 failed"
	wait "$p6" || echo "# $label: ping c6 -> c4 failed"
	quiet_hosts
	busywait 20000 grep -q listening "$d/td4.err"
	busywait 20000 grep -q listening "$d/td6.err"
	ip netns exec "$c6" python3 "$CONF" send "$d" 6to4 c6-r "$r6mac" \
		"$hold" "$PFX" "$subset" "$label"
	ip netns exec "$c4" python3 "$CONF" send "$d" 4to6 c4-r "$r4mac" \
		"$hold" "$PFX" "$subset" "$label"
	sleep 1
	kill "$t4" "$t6" "$hold" 2>/dev/null
	wait "$t4" "$t6" "$hold" 2>/dev/null
	RUNS+=("$d")
	echo "# $label: $subset cases sent in $(( $(date +%s) - t0 )) s"
}

start=$(date +%s)
echo "# rules installed with $(xlat_nft_probe)"
run_one "/96 ingress" "$PFX96" ingress full
for p in $PREFIXES; do
	run_one "/${p#*/} ingress" "$p" ingress addr
done
for pl in $PLACES; do
	case $pl in
	post4) name=postrouting-4to6 ;;
	post6) name=postrouting-6to4 ;;
	*) name=$pl ;;
	esac
	run_one "/96 $name" "$PFX96" "$pl" short
done
cleanup_all_ns
echo "# sent in $(( $(date +%s) - start )) s"

python3 "$CONF" verify "${RUNS[@]}" || ret=$ksft_fail
echo "# total $(( $(date +%s) - start )) s"
exit $ret
