#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile traffic through nft_xlat, in both modes (xlat to: IPv4 -> IPv6,
# xlat from: IPv6 -> IPv4) and at every hook (netdev ingress, ip/ip6
# prerouting, ip/ip6 postrouting, and the nat chains that bind
# connections: ip6 prerouting for from, ip postrouting for to).  build/<rel>/xlat-fuzz
# (tools/xlat-fuzz/xlat-fuzz.c) sends HOSTILE_PACKETS frames per (mode,
# hook) from the sending side with AF_PACKET: truncated headers, lying
# length fields, bad checksums, ICMP errors with absent, cut, nested or
# lying inner packets and overrunning RFC 4884 lengths, IPv4 options
# (source routes, malformed), IPv6 extension header chains (long, repeated,
# hop-by-hop not first, fragment headers anywhere, routing headers with
# segments left), tiny/overlapping/out-of-order fragments, zero UDP
# checksums, TTL 0 and 1, odd addresses, random bit flips and truncations
# of valid packets of every kind; 1% are frames of the other family.  The
# PRNG seed is printed (HOSTILE_SEED reproduces a run; "xlat-fuzz -m MODE
# -s SEED -x N" prints packet N).
#
#   c6 (IPv6 only)  --veth--  rtr (translator)  --veth--  c4 (IPv4 only)
#   from: sent by c6 to r6, checked on c4     to: sent by c4 to r4, checked on c6
#
# c6 and c4 are silenced (their inet prerouting and output drop all) so
# that rtr sees nothing but the generated frames; rtr has permanent
# neighbour entries for them.
#
# Three checks per (mode, hook):
#  - no kernel report: no WARNING/BUG/Oops/KASAN/UBSAN/kmemleak line in
#    dmesg during the run (vm.sh also fails the whole run on one);
#  - well-formed output: every frame of the translated family on the far
#    side parses (IPv4/IPv6 header, extension headers, lengths, IPv4 header
#    checksum, TCP/UDP/ICMP/ICMPv6 checksums, no ICMP type a translator
#    does not send); a defect carried over from the input (a transport
#    checksum wrong by the same amount, which RFC 7915 incremental updates
#    preserve; a lying UDP length; a TCP data offset past the end) is
#    reported as "inherited", any other one fails.  The router's own ICMP
#    errors on the sending side are checked too.  At ingress and
#    prerouting the translated packet then enters the new family's input
#    path in rtr, whose header error counters (Ip(6)InHdrErrors,
#    InTruncatedPkts, IPv4 InCsumErrors) must not move: nothing else of
#    that family reaches rtr;
#  - counters add up.  From nf_xlat_skb() (nf_xlat_out.c): a packet of the
#    family translated from ends in exactly one "outcome" counter: 4to6,
#    6to4, pass_nomap, pass_loop, pass_unsupp or one drop_* counter;
#    icmp_err_4to6/6to4 are sub-counts of 4to6/6to4, icmp_sent counts
#    errors the translator sends, frags_out counts pieces.  Exceptions: an
#    IPv4 packet the translator fragments (split) and a GSO packet it
#    segments count one outcome per piece, and a packet whose conntrack
#    entry cannot be confirmed at postrouting counts none.  The generator
#    keeps IPv4 packets at 1200 bytes or less (no split: frags_out must
#    stay 0), AF_PACKET frames are not GSO, rtr has no conntrack.  So
#      sum(outcomes) == rule packets - frames of the other family
#    where, at netdev ingress, the rule (selected by the generator's source
#    MAC) sees every frame sent: rule packets == sent.  At prerouting and
#    postrouting the kernel's input validation, routing and forwarding
#    drop some packets before the hook, and the ip/ip6 chain sees no frame
#    of the other family: rule packets <= sent and sum(outcomes) == rule
#    packets.  In nat chains the rule sees the first packet of each
#    connection only: rule packets <= sent, and some connections bound.
#
# HOSTILE_PACKETS (default 20000) frames per (mode, hook); HOSTILE_MODES
# and HOSTILE_HOOKS narrow the matrix.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PFX=${PFX:-2001:db8:64::/96}
PACKETS=${HOSTILE_PACKETS:-20000}
# A fixed seed by default, so that make check is reproducible; any other
# (HOSTILE_SEED=random draws one) explores further.
SEED=${HOSTILE_SEED:-20261122}
[ "$SEED" = random ] && SEED=$(( ($(date +%s) * 1000 + RANDOM) % 4294967296 ))
MODES=${HOSTILE_MODES:-from to}
HOOKS=${HOSTILE_HOOKS:-ingress prerouting postrouting nat}
FUZZ=${XLAT_FUZZ:-$BUILD/xlat-fuzz}
GENMAC=02:58:4c:41:54:01
OUTCOMES='^(4to6|6to4|pass_nomap|pass_loop|pass_unsupp|drop_.*)$'
KREPORT='WARNING:|BUG:|Oops|KASAN|UBSAN|kmemleak|general protection|Call Trace'

checktool "test -x $FUZZ" "find $FUZZ (make module builds it)"
checktool "nft --version" "run the test without nft"

echo "INFO: seed $SEED, $PACKETS packets per mode and hook" \
	"(HOSTILE_SEED=$SEED reproduces it)"

setup_siit_topology "$PFX"
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
R6_MAC=$(mac "$rtr" r6)
R4_MAC=$(mac "$rtr" r4)
C6_MAC=$(mac "$c6" c6-r)
C4_MAC=$(mac "$c4" c4-r)
ip -n "$rtr" neigh replace "$C4_V4" lladdr "$C4_MAC" dev r4 nud permanent
ip -n "$rtr" neigh replace "$C6_V4" lladdr "$C6_MAC" dev r6 nud permanent
ip -n "$rtr" -6 neigh replace "$C6_ADDR" lladdr "$C6_MAC" dev r6 nud permanent
ip -n "$rtr" -6 neigh replace 2001:db8:6::2 lladdr "$C6_MAC" dev r6 \
	nud permanent
for ns in "$c6" "$c4"; do
	ip netns exec "$ns" nft -f - <<-EOF || { fail "cannot silence ${ns%-*}"; exit "$ret"; }
	table inet quiet {
		chain pre { type filter hook prerouting priority -500; policy drop; }
		chain out { type filter hook output priority -500; policy drop; }
	}
	EOF
done
# The frames of one sendmmsg() batch queue up in the veth peer's backlog.
old_backlog=$(sysctl -n net.core.netdev_max_backlog)
sysctl -wq net.core.netdev_max_backlog=100000
trap 'sysctl -wq net.core.netdev_max_backlog=$old_backlog; lib_cleanup' EXIT

# rules MODE HOOK: the chain selecting the generated traffic, jumping to
# chain x, which holds "counter xlat to|from PFX".  Prints the family.
rules() {
	local mode=$1 hook=$2 fam dev iif oif
	if [ "$mode" = from ]; then
		dev=r6 iif=r6 oif=r4 fam=ip6
	else
		dev=r4 iif=r4 oif=r6 fam=ip
	fi
	ip netns exec "$rtr" nft flush ruleset
	case $hook in
	ingress)
		fam=netdev
		ip netns exec "$rtr" nft -f - <<-EOF
		table netdev hx {
			chain x { }
			chain in { type filter hook ingress device $dev priority 0;
				   ether saddr $GENMAC jump x; }
		}
		EOF
		;;
	prerouting)
		ip netns exec "$rtr" nft -f - <<-EOF
		table $fam hx {
			chain x { }
			chain pre { type filter hook prerouting priority -450;
				    iifname "$iif" ether saddr $GENMAC jump x; }
		}
		EOF
		;;
	postrouting)
		ip netns exec "$rtr" nft -f - <<-EOF
		table $fam hx {
			chain x { }
			chain post { type filter hook postrouting priority 100;
				     iifname "$iif" oifname "$oif" jump x; }
		}
		EOF
		;;
	nat)	# where the reference ruleset binds each way
		if [ "$mode" = from ]; then
			ip netns exec "$rtr" nft -f - <<-EOF
			table $fam hx {
				chain x { }
				chain pre { type nat hook prerouting priority dstnat;
					    iifname "$iif" ether saddr $GENMAC jump x; }
			}
			EOF
		else
			ip netns exec "$rtr" nft -f - <<-EOF
			table $fam hx {
				chain x { }
				chain post { type nat hook postrouting priority srcnat;
					     iifname "$iif" oifname "$oif" jump x; }
			}
			EOF
		fi
		;;
	esac || return 1
	xlat_rule "$rtr" "$fam" hx x counter xlat "$mode" "$PFX" >&2 || return 1
	echo "$fam"
}

stats() { ip netns exec "$rtr" cat /proc/net/stat/nft_xlat; }
# hdr_errors MODE: rtr's input header error counters of the family
# translated to.
hdr_errors() {
	local names
	if [ "$1" = to ]; then
		names='Ip6InHdrErrors Ip6InTruncatedPkts'
	else
		names='IpInHdrErrors IpExtInTruncatedPkts IpExtInCsumErrors'
	fi
	# shellcheck disable=SC2086
	ip netns exec "$rtr" nstat -az $names |
		awk '$1 !~ /^#/ { printf "%s=%s ", $1, $2 }'
}

run() {	# MODE HOOK
	local mode=$1 hook=$2 fam txns txdev rxns rxdev mac out rule sent
	local other sum frags t0 t1 dmesg0 kr he0 he1 what binds
	what="$mode/$hook"
	if [ "$mode" = from ]; then
		txns=$c6 txdev=c6-r rxns=$c4 rxdev=c4-r mac=$R6_MAC
	else
		txns=$c4 txdev=c4-r rxns=$c6 rxdev=c6-r mac=$R4_MAC
	fi
	if ! fam=$(rules "$mode" "$hook"); then
		fail "$what: cannot install the rules"
		return
	fi
	stats >"$TMPD/before"
	he0=$(hdr_errors "$mode")
	dmesg0=$(dmesg | wc -l)
	t0=$(date +%s)
	out=$("$FUZZ" -m "$mode" -s "$SEED" -n "$PACKETS" -p "${PFX%/*}" \
		-t "$txns:$txdev:$mac" -r "$rxns:$rxdev" 2>&1)
	t1=$(date +%s)
	sleep 0.5
	he1=$(hdr_errors "$mode")
	stats >"$TMPD/after"
	rule=$(xlat_counter "$rtr" "$fam" hx x | awk '{print $1}')
	get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
	sent=$(get sent)
	other=$(get sent_other_family)
	# Counter deltas: "name delta" for those that moved.
	paste "$TMPD/before" "$TMPD/after" |
		awk '$4 != $2 { print $1, $4 - $2 }' >"$TMPD/delta"
	sum=$(awk -v re="$OUTCOMES" '$1 ~ re { s += $2 } END { print s + 0 }' \
		"$TMPD/delta")
	frags=$(awk '$1 == "frags_out" { print $2 }' "$TMPD/delta")
	echo "INFO: $what: sent ${sent:-?} (other family ${other:-?}) in $((t1 - t0)) s," \
		"rule ${rule:-?}, far side: $(get far_received) received," \
		"$(get far_ok) ok, $(get far_inherited) inherited defects," \
		"$(get far_bad) bad; router ICMP back: $(get back_icmp)"
	echo "INFO: $what: counters: $(tr '\n' ' ' <"$TMPD/delta")"

	kr=$(dmesg | tail -n +"$((dmesg0 + 1))" | grep -E "$KREPORT")
	if [ -z "$kr" ] && [ -n "$sent" ]; then
		pass "$what: no crash or kernel report"
	else
		fail "$what: kernel report or generator died:"
		[ -n "$kr" ] && head -20 <<<"$kr"
		[ -n "$sent" ] || echo "$out" | tail -5
	fi

	if [ "$(get result)" = ok ] && [ "$(get far_ok)" -gt 0 ] 2>/dev/null &&
	   { [ "$hook" = postrouting ] || [ "$he1" = "$he0" ]; }; then
		pass "$what: all $(get far_received) packets out on the far side well-formed"
	else
		fail "$what: malformed output: far side $(get far_bad) bad of" \
		     "$(get far_received) (ok $(get far_ok)), router ICMP bad" \
		     "$(get back_bad), rtr header errors [$he0] -> [$he1]"
		grep '^#' <<<"$out"
	fi

	binds=$(awk '$1 == "bind" { print $2 }' "$TMPD/delta")
	if [ -z "$sent" ] || [ -z "$rule" ]; then
		fail "$what: counters: no figures (sent '$sent', rule '$rule')"
	elif [ "$hook" = nat ]; then
		# The rule sees each connection's first packet; the bindings
		# translate the rest, conntrack drops what it finds invalid.
		if [ "$rule" -le "$sent" ] && [ "${binds:-0}" -gt 0 ] &&
		   [ "$binds" -le "$rule" ]; then
			pass "$what: counters: rule $rule <= sent $sent, $binds connections bound"
		else
			fail "$what: counters: rule $rule (sent $sent), bound ${binds:-0}"
		fi
		# Bound entries left would take the next runs' packets.
		ip netns exec "$rtr" nft flush ruleset
		ip netns exec "$rtr" conntrack -F >/dev/null 2>&1
	elif [ -n "$frags" ]; then
		fail "$what: counters: frags_out moved ($frags): no packet should be split"
	elif [ "$hook" = ingress ]; then
		if [ "$rule" = "$sent" ] && [ "$sum" = $((rule - other)) ]; then
			pass "$what: counters add up: rule $rule == sent, outcomes $sum == rule - $other of the other family"
		else
			fail "$what: counters: rule $rule (sent $sent), outcomes $sum (want $((rule - other)))"
		fi
	elif [ "$rule" -le "$sent" ] && [ "$sum" = "$rule" ]; then
		pass "$what: counters add up: rule $rule <= sent $sent, outcomes $sum == rule"
	else
		fail "$what: counters: rule $rule (sent $sent, must be <=), outcomes $sum (want $rule)"
	fi
}

for mode in $MODES; do
	for hook in $HOOKS; do
		run "$mode" "$hook"
	done
done
exit "$ret"
