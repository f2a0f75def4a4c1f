#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end paths through nft_xlat (RFC 7915), in the manner of the
# kernel's selftests/net/pmtu.sh: applications on both sides, routers
# beyond the translator, one PASS:/FAIL:/SKIP: line per check.
#
#   c6 ------- g6 ------- rtr (translator) ------- g4 ------- c4
#      c6-g  g6-c  g6-r  r6               r4  g4-r  g4-c  c4-g
#   2001:db8:6::/64  2001:db8:7::/64   192.0.2.0/24   203.0.113.0/24
#
#   c6: 2001:db8:6::2, PFX::198.51.100.6 (198.51.100.6 for IPv4 hosts)
#   c4: 203.0.113.2 (PFX::203.0.113.2 for IPv6 hosts)
#   g6: IPv6-only router, 2001:db8:6::1 and 2001:db8:7::2
#   g4: IPv4-only router, 192.0.2.2 and 203.0.113.1
#   rtr: 2001:db8:7::1 and 192.0.2.1
#
# Placements of the translator (rtr):
#   netdev  "xlat from" at r6 ingress, "xlat to" at r4 ingress; plus
#           postrouting rules for the ICMP errors the translator's own
#           IPv4/IPv6 forwarding sends in the new family (they pass
#           neither ingress hook).
#   post4   "from" at r6 ingress, "to" at r6 postrouting (tracked as IPv4).
#   post6   "to" at r4 ingress, "from" at r4 postrouting (tracked as IPv6).
#
# Checks, per placement:
#   pmtu    1 MB TCP each way (compared byte for byte) across a 1280-byte link, that link
#           being the translator's own egress or the far side of the router
#           beyond it; the sender's cached path MTU must be the one RFC 7915
#           gives (an IPv4 MTU of 1280 is 1300 for IPv6; an IPv6 one of
#           1280 is 1260 for IPv4).
#   frag    UDP datagrams of 3500 and 4000 bytes each way (fragments;
#           IPv4 fragments must become IPv6 ones of 1280 bytes at most), an
#           unfragmented 1400-byte IPv4 datagram without DF (the translator
#           must fragment it for the 1280-byte IPv6 minimum), an IPv4
#           datagram with a zero UDP checksum; 1000 bytes as a control.
#   trace   ping with a growing hop limit / TTL both ways: time exceeded
#           from the routers, the translator's errors, the IPv4 router's
#           error as ICMPv6 from its IPv4-embedded address, the IPv6
#           router's as ICMPv4 from 192.0.0.8 (RFC 6791/7600).
# And once: the translator host itself as CLAT (xlat to saddr/daddr at
# postrouting for its own IPv4 sockets, xlat from at ingress for replies).
#
# PLACEMENTS and CHECKS select subsets; XFER_TIMEOUT and XFER_STALL (s)
# bound a transfer and a transfer without progress.
#
# setup_ns and embed_vars assign variables through eval (SC2154, SC2153);
# the rules_* functions run as "rules_$p" (SC2317).
# shellcheck source=lib.sh disable=SC2154,SC2153,SC2317
source "$(dirname "$0")/lib.sh"

PFX=${PFX:-2001:db8:64::/96}
CLATPFX=2001:db8:c1a7::/96
PLATPFX=2001:db8:46::/96
XFER_TIMEOUT=${XFER_TIMEOUT:-30}
XFER_STALL=${XFER_STALL:-3}
RFC6791_SRC=192.0.0.8

checktool "socat -V" "run the test without socat"
checktool "python3 -c 'import socket'" "run the test without python3"
checktool "ping -V" "run the test without ping"
checktool "ethtool --version" "run the test without ethtool"

# embed_vars VAR=PREFIX,IPV4...: set each VAR to the RFC 6052 address, in
# one python run (lib.sh's embed imports scapy through xlat_ref.py, which
# takes seconds per call under TCG).  Same algorithm as xlat_ref.embed().
embed_vars() {
	eval "$(python3 - "$@" <<-'EOF'
	import ipaddress, sys
	for arg in sys.argv[1:]:
	    var, rest = arg.split("=")
	    prefix, v4 = rest.split(",")
	    net = ipaddress.IPv6Network(prefix)
	    p = bytearray(net.network_address.packed)
	    pos = net.prefixlen // 8
	    for b in ipaddress.IPv4Address(v4).packed:
	        if pos == 8:
	            pos = 9          # the u-octet stays zero
	        p[pos] = b
	        pos += 1
	    print("%s=%s" % (var, ipaddress.IPv6Address(bytes(p))))
	EOF
	)"
}

setup_paths_topology() {
	local ns
	C6_V4=198.51.100.6
	C4_V4=203.0.113.2
	embed_vars "C6_ADDR=$PFX,$C6_V4" "C4_ADDR6=$PFX,$C4_V4" \
		"RTR_ADDR6=$PFX,192.0.2.1" "G4_ADDR6=$PFX,192.0.2.2" \
		"CLAT_ADDR6=$CLATPFX,192.0.0.1" "PLAT_ADDR6=$PLATPFX,10.64.0.5"
	[ -n "$PLAT_ADDR6" ] || return 1
	setup_ns c6 g6 rtr g4 c4 || return 1
	ip link add c6-g netns "$c6" type veth peer name g6-c netns "$g6"
	ip link add g6-r netns "$g6" type veth peer name r6 netns "$rtr"
	ip link add r4 netns "$rtr" type veth peer name g4-r netns "$g4"
	ip link add g4-c netns "$g4" type veth peer name c4-g netns "$c4"
	for ns in "$c6 c6-g" "$g6 g6-c" "$g6 g6-r" "$rtr r6" "$rtr r4" \
		  "$g4 g4-r" "$g4 g4-c" "$c4 c4-g"; do
		# shellcheck disable=SC2086
		set -- $ns
		ip -n "$1" link set "$2" up
	done
	for ns in "$c6" "$g6" "$rtr" "$g4" "$c4"; do
		# No ICMP rate limits: each check counts on every error.
		ip netns exec "$ns" sysctl -wq net.ipv4.icmp_ratelimit=0 \
			net.ipv6.icmp.ratelimit=0 \
			net.ipv4.conf.all.send_redirects=0
	done
	# The endpoints verify every checksum they receive (veth would
	# otherwise mark packets from its peer as already checked).
	ip netns exec "$c6" ethtool -K c6-g rx off >/dev/null 2>&1
	ip netns exec "$c4" ethtool -K c4-g rx off >/dev/null 2>&1

	ip -n "$c6" addr add 2001:db8:6::2/64 dev c6-g nodad
	ip -n "$c6" addr add "$C6_ADDR/128" dev c6-g nodad
	ip -n "$c6" route add "$PFX" via 2001:db8:6::1 src "$C6_ADDR"

	ip -n "$g6" addr add 2001:db8:6::1/64 dev g6-c nodad
	ip -n "$g6" addr add 2001:db8:7::2/64 dev g6-r nodad
	ip -n "$g6" route add "$PFX" via 2001:db8:7::1
	ip -n "$g6" route add "$C6_ADDR/128" via 2001:db8:6::2
	ip netns exec "$g6" sysctl -wq net.ipv6.conf.all.forwarding=1

	ip -n "$rtr" addr add 2001:db8:7::1/64 dev r6 nodad
	ip -n "$rtr" addr add 192.0.2.1/24 dev r4
	ip -n "$rtr" route add "$C6_ADDR/128" via 2001:db8:7::2 dev r6
	ip -n "$rtr" route add 203.0.113.0/24 via 192.0.2.2
	# Towards the interface whose postrouting rule translates: IPv4 for
	# the IPv6 side out of r6, IPv6 for the prefix out of r4.
	# Their MTU is the other family's, locked so that forwarding uses it
	# rather than the device's: otherwise the old family's forwarding
	# answers first, with the device MTU, and the translator's own
	# PTB/FN (MTU +/- 20) is never needed.
	ip -n "$rtr" route add 198.51.100.0/24 dev r6 mtu lock 1480
	ip -n "$rtr" -6 route add "$PFX" dev r4 mtu lock 1520
	ip netns exec "$rtr" sysctl -wq net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1

	ip -n "$g4" addr add 192.0.2.2/24 dev g4-r
	ip -n "$g4" addr add 203.0.113.1/24 dev g4-c
	ip -n "$g4" route add 198.51.100.0/24 via 192.0.2.1
	ip netns exec "$g4" sysctl -wq net.ipv4.ip_forward=1

	ip -n "$c4" addr add "$C4_V4/24" dev c4-g
	ip -n "$c4" route add default via 203.0.113.1
}

# ---- placements -------------------------------------------------------

# The base chains select what to translate and jump to a chain holding
# "counter xlat": everything for the prefix from the IPv6 side, everything
# for the IPv6 hosts' IPv4 addresses from the IPv4 side (the routers'
# ICMP errors included).
rules_netdev() {
	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	table netdev xlat6 {
		chain x { }
		chain in { type filter hook ingress device r6 priority 0;
			   ip6 daddr $PFX jump x; }
	}
	table netdev xlat4 {
		chain x { }
		chain in { type filter hook ingress device r4 priority 0;
			   ip daddr 198.51.100.0/24 jump x; }
	}
	table inet own {
		chain x4 { }
		chain x6 { }
		chain post { type filter hook postrouting priority 100;
			     oifname "r6" meta nfproto ipv4 jump x4;
			     oifname "r4" meta nfproto ipv6 jump x6; }
	}
	EOF
	xlat_rule "$rtr" netdev xlat6 x counter xlat from "$PFX" &&
	xlat_rule "$rtr" netdev xlat4 x counter xlat to "$PFX" &&
	xlat_rule "$rtr" inet own x4 counter xlat to "$PFX" &&
	xlat_rule "$rtr" inet own x6 counter xlat from "$PFX"
}

rules_post4() { xlat_post_rules "$rtr" "$PFX" 4; }

rules_post6() { XLAT_IN4="ip daddr 198.51.100.0/24" xlat_post_rules "$rtr" "$PFX" 6; }

# ---- helpers ------------------------------------------------------------

# The senders' path MTU exceptions (the routers forward, they cache none).
flush_pmtu() {
	ip -n "$c6" -6 route flush cache
	ip -n "$c4" -4 route flush cache
}

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# cached_mtu NS FAMILY DST [SRC]: the mtu of the route the kernel uses, if
# any (a PMTU exception).
cached_mtu() {
	local from=()
	[ -n "${4:-}" ] && from=(from "$4")
	ip -n "$1" "-$2" route get "$3" "${from[@]}" |
		sed -n 's/.* mtu \([0-9]*\).*/\1/p' | head -n 1
}

# listen_wait NS PROTO PORT: busywait until something listens there.
listen_wait() {
	busywait 10000 sh -c "ip netns exec $1 ss -Hln$2 'sport = :$3' | grep -q ':$3'"
}

# tcp_xfer SRVNS PORT LISTEN CLINS CONNECT [down]: LISTEN and CONNECT are
# socat addresses; the client sends $TMPD/tx and the server writes
# $TMPD/rx, or the other way round with "down".  Returns 0 when every byte
# arrived.  Gives up after XFER_TIMEOUT seconds, or after XFER_STALL
# seconds without a byte arriving (a path MTU black hole), so that
# failures cost little time.
tcp_xfer() {
	local srv cli rcv size last=-1 since now start
	local tx=OPEN:$TMPD/tx rx=OPEN:$TMPD/rx,creat,trunc
	rm -f "$TMPD/rx"
	if [ "${6:-}" = down ]; then
		ip netns exec "$1" timeout "$XFER_TIMEOUT" socat -u "$tx" "$3" \
			2>/dev/null &
	else
		ip netns exec "$1" timeout "$XFER_TIMEOUT" socat -u "$3" "$rx" \
			2>/dev/null &
	fi
	srv=$!
	listen_wait "$1" t "$2"
	if [ "${6:-}" = down ]; then
		ip netns exec "$4" timeout "$XFER_TIMEOUT" socat -u "$5" "$rx" \
			2>/dev/null &
		cli=$!
		rcv=$cli
	else
		ip netns exec "$4" timeout "$XFER_TIMEOUT" socat -u "$tx" "$5" \
			2>/dev/null &
		cli=$!
		rcv=$srv
	fi
	start=$(now_ms)
	since=$start
	while kill -0 "$rcv" 2>/dev/null; do
		sleep 0.25
		now=$(now_ms)
		size=$(rx_bytes)
		if [ "$size" != "$last" ]; then
			last=$size since=$now
		elif [ $((now - since)) -gt $((XFER_STALL * 1000)) ]; then
			kill "$srv" "$cli" 2>/dev/null
			break
		fi
	done
	wait "$srv" "$cli" 2>/dev/null
	XFER_MS=$(( $(now_ms) - start ))
	cmp -s "$TMPD/tx" "$TMPD/rx"
}

rx_bytes() { stat -c %s "$TMPD/rx" 2>/dev/null || echo 0; }

# ---- 1. path MTU ----------------------------------------------------------

# pmtu_check PLACEMENT WHERE DIR: WHERE is "own" (the translator's egress
# is the 1280-byte link) or "far" (the link behind the next router is),
# DIR is 6to4 or 4to6.
pmtu_check() {
	local p=$1 where=$2 dir=$3 ns dev what mtu want
	case $where-$dir in
	own-6to4) ns=$rtr dev=r4 what="translator egress r4" ;;
	own-4to6) ns=$rtr dev=r6 what="translator egress r6" ;;
	far-6to4) ns=$g4 dev=g4-c what="IPv4 link g4 -> c4" ;;
	far-4to6) ns=$g6 dev=g6-c what="IPv6 link g6 -> c6" ;;
	esac
	ip -n "$ns" link set "$dev" mtu 1280
	flush_pmtu
	if [ "$dir" = 6to4 ]; then
		want=1300
		if tcp_xfer "$c4" 8080 "TCP4-LISTEN:8080,reuseaddr" "$c6" \
			    "TCP6:[$C4_ADDR6]:8080,bind=[$C6_ADDR]"; then
			pass "$p: pmtu: 1 MB TCP c6 -> c4 across a 1280-byte $what ($XFER_MS ms)"
		else
			fail "$p: pmtu: 1 MB TCP c6 -> c4 across a 1280-byte $what ($(rx_bytes) bytes arrived)"
		fi
		mtu=$(cached_mtu "$c6" 6 "$C4_ADDR6" "$C6_ADDR")
		if [ "$mtu" = $want ]; then
			pass "$p: pmtu: c6 caches path MTU $mtu towards c4 (packet too big from the translation of frag needed, 1280 + 20)"
		else
			fail "$p: pmtu: c6 path MTU towards c4 is '${mtu:-none}', want $want"
		fi
	else
		want=1260
		if tcp_xfer "$c6" 8081 "TCP6-LISTEN:8081,reuseaddr,bind=[$C6_ADDR]" \
			    "$c4" "TCP4:$C6_V4:8081"; then
			pass "$p: pmtu: 1 MB TCP c4 -> c6 across a 1280-byte $what ($XFER_MS ms)"
		else
			fail "$p: pmtu: 1 MB TCP c4 -> c6 across a 1280-byte $what ($(rx_bytes) bytes arrived)"
		fi
		mtu=$(cached_mtu "$c4" 4 "$C6_V4")
		if [ "$mtu" = $want ]; then
			pass "$p: pmtu: c4 caches path MTU $mtu towards c6 (frag needed from the translation of packet too big, 1280 - 20)"
		else
			fail "$p: pmtu: c4 path MTU towards c6 is '${mtu:-none}', want $want"
		fi
	fi
	ip -n "$ns" link set "$dev" mtu 1500
	flush_pmtu
}

# ---- 2. UDP fragments and checksums ----------------------------------------

# udp.py recv FAM ADDR PORT DONEFILE TAG:SIZE...: print "TAG LEN FRAGSIZE"
# for the first intact datagram of each TAG (FRAGSIZE: the largest fragment
# it was reassembled from, 0 if it was not fragmented), "TAG bad LEN" for a
# corrupted one; stop when all arrived, a second after DONEFILE appears
# (the senders are done), or after 30 s.
# udp.py send FAM DST PORT TAG:SIZE[:nodf|:zero]...: send each twice;
# nodf: IPv4 without DF, zero: IPv4 with a zero UDP checksum (raw socket).
# A datagram is its tag, NUL-padded to 8 bytes, and a pattern seeded by it.
UDP_PY='
import os, random, socket, struct, sys, time

def payload(tag, size):
    head = tag.encode().ljust(8, b"\0")
    return head + random.Random(tag).randbytes(size - 8)

mode, fam, addr, port = sys.argv[1:5]
port = int(port)
af = socket.AF_INET6 if fam == "6" else socket.AF_INET
if mode == "recv":
    s = socket.socket(af, socket.SOCK_DGRAM)
    if fam == "6":
        s.setsockopt(socket.IPPROTO_IPV6, 77, 1)      # IPV6_RECVFRAGSIZE
    else:
        s.setsockopt(socket.IPPROTO_IP, 25, 1)        # IP_RECVFRAGSIZE
    s.bind((addr, port))
    end = time.time() + 30
    done = None
    want = {t.split(":")[0]: int(t.split(":")[1]) for t in sys.argv[6:]}
    s.settimeout(0.2)
    while want and time.time() < end:
        try:
            data, anc, _, _ = s.recvmsg(65535, 64)
        except socket.timeout:
            if done is None and os.path.exists(sys.argv[5]):
                done = time.time()
            if done is not None and time.time() - done > 1:
                break
            continue
        tag = data[:8].rstrip(b"\0").decode(errors="replace")
        if tag not in want:
            continue
        frag = 0
        for _, _, c in anc:
            frag = struct.unpack("i", c[:4])[0]
        if data == payload(tag, want[tag]):
            print(tag, len(data), frag, flush=True)
            del want[tag]
        else:
            print(tag, "bad", len(data), flush=True)
else:
    plain = socket.socket(af, socket.SOCK_DGRAM)
    nodf = socket.socket(af, socket.SOCK_DGRAM)
    if fam == "4":
        nodf.setsockopt(socket.IPPROTO_IP, 10, 0)     # IP_PMTUDISC_DONT
        raw = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_UDP)
    for _ in range(2):
        for t in sys.argv[5:]:
            tag, size, *opt = t.split(":")
            data = payload(tag, int(size))
            if opt == ["zero"]:
                hdr = struct.pack("!HHHH", 5555, port, 8 + len(data), 0)
                raw.sendto(hdr + data, (addr, 0))
            else:
                (nodf if opt == ["nodf"] else plain).sendto(data, (addr, port))
        time.sleep(0.3)
'

nstat_get() {	# NS COUNTER
	ip netns exec "$1" nstat -az "$2" | awk -v c="$2" '$1 == c {print $2}'
}

# udp_result FILE TAG: "LEN FRAGSIZE" of TAG, "bad LEN", or "lost".
udp_result() {
	local r
	r=$(awk -v t="$2" '$1 == t {print $2, $3; exit}' "$1")
	echo "${r:-lost}"
}

frag_check() {
	local p=$1 r4 r6 e0 e1 size r
	local to4="small:1000 f6-3500:3500 f6-4000:4000"
	local to6="small:1000 f4-3500:3500 f4-4000:4000 nodf:1400:nodf zero:200:zero"
	e0=$(nstat_get "$c6" Udp6InCsumErrors)
	rm -f "$TMPD/udp-done"
	# shellcheck disable=SC2086
	ip netns exec "$c4" python3 -c "$UDP_PY" recv 4 0.0.0.0 9100 \
		"$TMPD/udp-done" $to4 \
		>"$TMPD/udp4" &
	r4=$!
	ip netns exec "$c6" python3 -c "$UDP_PY" recv 6 "$C6_ADDR" 9101 \
		"$TMPD/udp-done" \
		small:1000 f4-3500:3500 f4-4000:4000 nodf:1400 zero:200 \
		>"$TMPD/udp6" &
	r6=$!
	listen_wait "$c4" u 9100
	listen_wait "$c6" u 9101
	# shellcheck disable=SC2086
	ip netns exec "$c6" python3 -c "$UDP_PY" send 6 "$C4_ADDR6" 9100 $to4 &
	local s6=$!
	# shellcheck disable=SC2086
	ip netns exec "$c4" python3 -c "$UDP_PY" send 4 "$C6_V4" 9101 $to6
	wait "$s6"
	touch "$TMPD/udp-done"
	wait "$r4" "$r6"
	e1=$(nstat_get "$c6" Udp6InCsumErrors)

	# Control: unfragmented both ways, so that the losses below are the
	# translator's.
	if [ "$(udp_result "$TMPD/udp4" small)" = "1000 0" ] &&
	   [ "$(udp_result "$TMPD/udp6" small)" = "1000 0" ]; then
		pass "$p: frag: 1000-byte UDP both ways, unfragmented (control)"
	else
		fail "$p: frag: 1000-byte UDP both ways, unfragmented (control): $(udp_result "$TMPD/udp4" small) / $(udp_result "$TMPD/udp6" small)"
	fi

	for size in 3500 4000; do
		r=$(udp_result "$TMPD/udp4" "f6-$size")
		if [ "${r%% *}" = "$size" ]; then
			pass "$p: frag: $size-byte UDP c6 -> c4 (IPv6 fragments) arrives intact"
		else
			fail "$p: frag: $size-byte UDP c6 -> c4 (IPv6 fragments): $r"
		fi
		# IPv4 fragments of up to 1500 bytes grow by 28 bytes: RFC 7915
		# section 4 (and mtu6) wants IPv6 fragments of 1280 at most.
		r=$(udp_result "$TMPD/udp6" "f4-$size")
		if [ "${r%% *}" = "$size" ] && [ "${r#* }" -gt 0 ] &&
		   [ "${r#* }" -le 1280 ]; then
			pass "$p: frag: $size-byte UDP c4 -> c6 (IPv4 fragments) arrives intact, IPv6 fragments <= 1280 (${r#* })"
		else
			fail "$p: frag: $size-byte UDP c4 -> c6 (IPv4 fragments): $r (want $size, fragments <= 1280)"
		fi
	done

	# DF clear and too big for 1280 bytes once translated: the translator
	# fragments it (RFC 7915 section 4, mtu6).
	r=$(udp_result "$TMPD/udp6" nodf)
	if [ "$r" != lost ] && [ "${r%% *}" = 1400 ] && [ "${r#* }" -gt 0 ] &&
	   [ "${r#* }" -le 1280 ]; then
		pass "$p: frag: 1400-byte UDP c4 -> c6 without DF arrives intact, in IPv6 fragments <= 1280 (${r#* })"
	else
		fail "$p: frag: 1400-byte UDP c4 -> c6 without DF: $r (want 1400 in IPv6 fragments <= 1280)"
	fi

	# Zero UDP checksum (RFC 7915 section 4.5): computed by the
	# translator, so c6 (which checks every checksum) accepts it.
	r=$(udp_result "$TMPD/udp6" zero)
	if [ "${r%% *}" = 200 ] && [ "$e0" = "$e1" ]; then
		pass "$p: frag: IPv4 UDP with zero checksum arrives at c6 with a valid one"
	else
		fail "$p: frag: IPv4 UDP with zero checksum: $r, $((e1 - e0)) checksum errors at c6"
	fi
}

# ---- 3. hop limit / TTL expiry ----------------------------------------------

# probe NS FAM HOPS DST: write to $TMPD/probe-FAM-HOPS "exceeded ADDR",
# "reply ADDR" or "none" (RFC 5952 text, as ping and embed print).
probe() {
	local out r=none
	out=$(ip netns exec "$1" ping "-$2" -n -c 1 -W 2 -t "$3" "$4" 2>&1)
	if grep -q 'exceeded' <<<"$out"; then
		r="exceeded $(sed -n 's/^From \([^ ]*\) .*exceeded.*/\1/p' <<<"$out" | head -n 1)"
	elif grep -q 'bytes from' <<<"$out"; then
		r="reply $(sed -n 's/.* bytes from \(.*\): icmp_seq.*/\1/p' <<<"$out" | head -n 1)"
	fi
	echo "$r" >"$TMPD/probe-$2-$3"
}

# hop_check LABEL FAM HOPS WANT...: WANT is "exceeded ADDR" or "reply
# ADDR"; any one of them passes.
hop_check() {
	local label=$1 fam=$2 hops=$3 got w
	shift 3
	got=$(cat "$TMPD/probe-$fam-$hops" 2>/dev/null)
	for w in "$@"; do
		if [ "$got" = "$w" ]; then
			pass "$label: $got"
			return
		fi
	done
	fail "$label: got '$got', want $(printf "'%s' " "$@")"
}

# Hop limit / TTL 1 to 4 both ways, all probes at once (they are told
# apart by ICMP identifier), then one line per hop.
trace_check() {
	local p=$1 h
	rm -f "$TMPD"/probe-*
	for h in 1 2 3 4; do
		probe "$c6" 6 $h "$C4_ADDR6" &
		probe "$c4" 4 $h "$C6_V4" &
	done
	wait
	hop_check "$p: trace c6 -> c4 hop limit 1: g6 (plain IPv6)" 6 1 \
		"exceeded 2001:db8:6::1"
	# The translator: its IPv6 forwarding (post6) or its IPv4 forwarding,
	# the error then translated (netdev, post4).
	hop_check "$p: trace c6 -> c4 hop limit 2: the translator" 6 2 \
		"exceeded 2001:db8:7::1" "exceeded $RTR_ADDR6"
	hop_check "$p: trace c6 -> c4 hop limit 3: g4's ICMPv4 time exceeded as ICMPv6 from PFX::192.0.2.2" \
		6 3 "exceeded $G4_ADDR6"
	hop_check "$p: trace c6 -> c4 hop limit 4: c4 answers" 6 4 \
		"reply $C4_ADDR6"

	hop_check "$p: trace c4 -> c6 TTL 1: g4 (plain IPv4)" 4 1 \
		"exceeded 203.0.113.1"
	# The translator: its IPv4 forwarding (post4) or its IPv6 forwarding,
	# the error then translated with the RFC 6791 source (netdev, post6).
	hop_check "$p: trace c4 -> c6 TTL 2: the translator" 4 2 \
		"exceeded 192.0.2.1" "exceeded $RFC6791_SRC"
	hop_check "$p: trace c4 -> c6 TTL 3: g6's ICMPv6 time exceeded as ICMPv4 from $RFC6791_SRC" \
		4 3 "exceeded $RFC6791_SRC"
	hop_check "$p: trace c4 -> c6 TTL 4: c6 answers" 4 4 "reply $C6_V4"
}

# ---- 4. the translator host as CLAT -------------------------------------------

# rtr's own IPv4 sockets reach 10.64.0.5 only through IPv6: an IPv4 route
# out of r6 from the CLAT address 192.0.0.1, "xlat to saddr CLATPFX daddr
# PLATPFX" at postrouting; c6 holds PLATPFX::10.64.0.5 and answers to
# CLATPFX::192.0.0.1, which rtr's r6 ingress turns back into IPv4.
clat_check() {
	local clat6=$CLAT_ADDR6 plat6=$PLAT_ADDR6 c
	ip netns exec "$rtr" nft flush ruleset
	ip -n "$rtr" addr add 192.0.0.1/32 dev lo
	ip -n "$rtr" route add 10.64.0.0/24 dev r6 src 192.0.0.1
	ip -n "$rtr" route add "$PLATPFX" via 2001:db8:7::2 dev r6
	ip -n "$g6" route add "$PLATPFX" via 2001:db8:6::2
	ip -n "$g6" route add "$CLATPFX" via 2001:db8:7::1
	ip -n "$c6" addr add "$plat6/128" dev c6-g nodad
	ip -n "$c6" route add "$CLATPFX" via 2001:db8:6::1
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet clat {
		chain x4 { }
		chain x6 { }
		chain out { type filter hook postrouting priority 100;
			    oifname "r6" ip daddr 10.64.0.0/24 jump x4; }
		chain in { type filter hook ingress device r6 priority 0;
			   ip6 daddr $CLATPFX jump x6; }
	}
	EOF
	if ! xlat_rule "$rtr" inet clat x4 counter xlat to saddr "$CLATPFX" \
			daddr "$PLATPFX" ||
	   ! xlat_rule "$rtr" inet clat x6 counter xlat from saddr "$PLATPFX" \
			daddr "$CLATPFX"; then
		fail "clat: loading the CLAT rules"
		return
	fi
	if tcp_xfer "$c6" 8200 "TCP6-LISTEN:8200,reuseaddr,bind=[$plat6]" \
		    "$rtr" "TCP4:10.64.0.5:8200"; then
		pass "clat: 1 MB from the translator's own IPv4 socket to 10.64.0.5 (IPv6 $plat6)"
	else
		fail "clat: 1 MB from the translator's own IPv4 socket to 10.64.0.5 ($(rx_bytes) bytes arrived)"
	fi
	if tcp_xfer "$c6" 8201 "TCP6-LISTEN:8201,reuseaddr,bind=[$plat6]" \
		    "$rtr" "TCP4:10.64.0.5:8201" down; then
		pass "clat: 1 MB from 10.64.0.5 to the translator's own IPv4 socket"
	else
		fail "clat: 1 MB from 10.64.0.5 to the translator's own IPv4 socket ($(rx_bytes) bytes arrived)"
	fi
	# c6 saw the CLAT address as its peer: the rules translated the flow.
	read -r c _ <<<"$(xlat_counter "$rtr" inet clat x4)"
	if [ "${c:-0}" -gt 100 ] &&
	   ip netns exec "$c6" ss -Htan | grep -q "$clat6"; then
		pass "clat: c6 saw the connections from $clat6 ($c packets translated at postrouting)"
	else
		fail "clat: postrouting translated ${c:-0} packets; c6's connections: $(ip netns exec "$c6" ss -Htan | tr '\n' ' ')"
	fi
}

# ---- main ------------------------------------------------------------------

setup_paths_topology || { fail "setting up the namespaces"; exit "$ret"; }
dd if=/dev/urandom of="$TMPD/tx" bs=1k count=1024 status=none
echo "INFO: prefix $PFX, rules installed with $(xlat_nft_probe)"
checks=${CHECKS:-pmtu frag trace clat}
T0=$(now_ms)
elapsed() { echo "INFO: $* at $(( ($(now_ms) - T0) / 1000 )) s"; }

for p in ${PLACEMENTS:-netdev post4 post6}; do
	ip netns exec "$rtr" nft flush ruleset
	if ! "rules_$p"; then
		fail "$p: loading the xlat rules"
		continue
	fi
	# Both ways once so that neighbours are resolved before the checks.
	ip netns exec "$c6" ping -q -c 1 -W 2 "$C4_ADDR6" >/dev/null
	if ip netns exec "$c4" ping -q -c 1 -W 2 "$C6_V4" >/dev/null &&
	   ip netns exec "$c6" ping -q -c 1 -W 2 "$C4_ADDR6" >/dev/null; then
		pass "$p: ping both ways through two routers and the translator"
	else
		fail "$p: ping both ways through two routers and the translator"
	fi
	case " $checks " in *" pmtu "*)
		for where in own far; do
			pmtu_check "$p" $where 6to4
			pmtu_check "$p" $where 4to6
		done ;;
	esac
	elapsed "$p: pmtu done"
	case " $checks " in *" frag "*) frag_check "$p" ;; esac
	elapsed "$p: frag done"
	case " $checks " in *" trace "*) trace_check "$p" ;; esac
	elapsed "$p: trace done"
done
case " $checks " in *" clat "*) clat_check ;; esac
elapsed "all done"

exit $ret
