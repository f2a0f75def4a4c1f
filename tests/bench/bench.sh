#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh OUTDIR - the guest side of "make bench" (tests/rig/bench.sh boots
# the lab VM and runs this in it).  Measures, in interleaved rounds, the
# packet rate and TCP throughput of a router namespace doing plain
# forwarding (with and without conntrack, masquerade, the flowtable),
# nft_xlat SIIT at each hook, nft_xlat NAT64, both with and without their
# fast path, Jool SIIT and NAT64, and Tayga + NAT44, the NAT64 session-setup
# rate and cost per packet with 1k-100k sessions (nft_xlat, Jool), then
# writes OUTDIR/raw.csv,
# OUTDIR/results.md and the plots (tests/bench/report.py).
#
#   c6 (sender / client)         rtr (router, vCPU 1)          c4 (receiver / server)
#   2001:db8:6::2, 10.0.6.2 --- r6 | r4 --------------------- 192.0.2.2, 2001:db8:4::2
#   PFX::198.51.100.6                                          sees c6 as 198.51.100.6
#
# vCPU 0 runs the traffic generators (pktgen's kpktgend_0, iperf3 client
# and server), the receivers' softirq (RPS on c6-r/c4-r) and this script;
# vCPU 1 runs the router (RPS on r6/r4, Tayga pinned to it).  The router's
# cost is its CPU time from /proc/stat divided by what the receiver got.
# Method: Documentation/bench/README.md.
#
# Under TCG every process started costs a quarter of a second or more, so
# the harness starts as few as it can: devices are set up before they move
# into their namespaces, counters are read through /proc/PID/net, and the
# arithmetic is done by the shell.
#
# Environment: BENCH_ROUNDS (5), BENCH_PPS_SECS (4), BENCH_TCP_SECS (2),
# BENCH_WARM_SECS (1), BENCH_STREAMS (4), BENCH_CASES (regex on test ids,
# e.g. 'fwd|jool'), BENCH_PERF (1: a perf profile of the router vCPU per
# translator after the rounds), BENCH_PERF_CONFIGS, BENCH_PREFIX,
# BENCH_SCALE_SIZES ("1000 10000 100000": NAT64 sessions), BENCH_CT_BUCKETS
# (131072), BENCH_CT_MAX (262144), BENCH_DEBUG.
# shellcheck disable=SC2034	# tests_<config> are read through ${!name}
# shellcheck source=../selftests/lib.sh
source "$(dirname "$0")/../selftests/lib.sh"
BENCH=$SRC/tests/bench

OUT=${1:?usage: bench.sh OUTDIR}
ROUNDS=${BENCH_ROUNDS:-5}
PPS_SECS=${BENCH_PPS_SECS:-4}
TCP_SECS=${BENCH_TCP_SECS:-2}
WARM=${BENCH_WARM_SECS:-1}
STREAMS=${BENCH_STREAMS:-4}
ONLY=${BENCH_CASES:-}
PERF=${BENCH_PERF:-1}
# A network-specific prefix: Tayga refuses the well-known 64:ff9b::/96 with
# the documentation addresses used here (RFC 6052 section 3.1), and it is
# the general case (64:ff9b::/96 is checksum-neutral).
PFX=${BENCH_PREFIX:-2001:db8:64::/96}
mkdir -p "$OUT"
RAW=$OUT/raw.csv
META=$OUT/meta.env
SKIPS=$OUT/skipped.txt
: >"$SKIPS"
echo "round,test,kind,config,rate,rate_unit,rtr_cpu_pct,rtr_cost,cost_unit,snd_cpu_pct,loss_pct,window_s,sessions" >"$RAW"

# Everything this script starts runs on vCPU 0 (children inherit the
# affinity); vCPU 1 is the router's.
taskset -pc 0 $$ >/dev/null

MAC_C6=02:00:00:00:06:02 MAC_R6=02:00:00:00:06:01
MAC_R4=02:00:00:00:04:01 MAC_C4=02:00:00:00:04:02
C6_V4=198.51.100.6
C4_V4=192.0.2.2
C6_ADDR=$(embed "$PFX" "$C6_V4")
C4_ADDR6=$(embed "$PFX" "$C4_V4")
NAT64_PORT=7000		# Jool NAT64's static BIB entry for the 4->6 packet rate
NAT64_POOL=198.51.100.1	# nft_xlat NAT64's IPv4 pool (one address)
NAT64_POOL6=$(embed "$PFX" "$NAT64_POOL")
T0=$(date +%s)

log() { echo "bench: [$(( $(printf '%(%s)T') - T0 ))s] $*"; }
skip_note() {	# test reason
	grep -q "^$1	" "$SKIPS" && return
	printf '%s\t%s\n' "$1" "$2" >>"$SKIPS"
	echo "SKIP: $1: $2"
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------- topology

# topo_up: fresh namespaces c6, rtr, c4 for one configuration.
topo_up() {
	local id d
	id=$RANDOM
	c6=c6-$id rtr=rtr-$id c4=c4-$id
	NS_LIST+=("$c6" "$rtr" "$c4")
	# Devices are created and tuned in this namespace, where sysfs and
	# ethtool need no "ip netns exec", then moved: RPS maps and offload
	# settings survive the move.
	ip -batch - <<-EOF || return 1
	netns add $c6
	netns add $rtr
	netns add $c4
	link add c6-r address $MAC_C6 type veth peer name r6 address $MAC_R6
	link add c4-r address $MAC_C4 type veth peer name r4 address $MAC_R4
	EOF
	# RPS: the router's receive work on vCPU 1, the end hosts' on vCPU 0.
	for d in r6 r4; do echo 2 >/sys/class/net/$d/queues/rx-0/rps_cpus; done
	for d in c6-r c4-r; do echo 1 >/sys/class/net/$d/queues/rx-0/rps_cpus; done
	OFFLOADS=
	offloads pps
	ip -batch - <<-EOF || return 1
	link set c6-r netns $c6
	link set r6 netns $rtr
	link set r4 netns $rtr
	link set c4-r netns $c4
	EOF
	# Static neighbours: no ARP/ND during a measurement.
	ip -n "$c6" -batch - <<-EOF || return 1
	link set lo up
	link set c6-r up
	addr add 2001:db8:6::2/64 dev c6-r nodad
	addr add $C6_ADDR/128 dev c6-r nodad
	addr add 10.0.6.2/24 dev c6-r
	route add $PFX via 2001:db8:6::1 src $C6_ADDR
	route add 2001:db8:4::/64 via 2001:db8:6::1
	route add default via 10.0.6.1
	neigh add 2001:db8:6::1 lladdr $MAC_R6 dev c6-r nud permanent
	neigh add 10.0.6.1 lladdr $MAC_R6 dev c6-r nud permanent
	EOF
	ip -n "$rtr" -batch - <<-EOF || return 1
	link set lo up
	link set r6 up
	link set r4 up
	addr add 2001:db8:6::1/64 dev r6 nodad
	addr add 10.0.6.1/24 dev r6
	addr add 192.0.2.1/24 dev r4
	addr add 2001:db8:4::1/64 dev r4 nodad
	route add $C6_ADDR/128 via 2001:db8:6::2 dev r6
	route add $C6_V4/32 dev r6
	neigh add 2001:db8:6::2 lladdr $MAC_C6 dev r6 nud permanent
	neigh add 10.0.6.2 lladdr $MAC_C6 dev r6 nud permanent
	neigh add $C6_V4 lladdr $MAC_C6 dev r6 nud permanent
	neigh add $C4_V4 lladdr $MAC_C4 dev r4 nud permanent
	neigh add 2001:db8:4::2 lladdr $MAC_C4 dev r4 nud permanent
	EOF
	ip -n "$c4" -batch - <<-EOF || return 1
	link set lo up
	link set c4-r up
	addr add $C4_V4/24 dev c4-r
	addr add 2001:db8:4::2/64 dev c4-r nodad
	route add 198.51.100.0/24 via 192.0.2.1
	route add 10.0.6.0/24 via 192.0.2.1
	route add 2001:db8:6::/64 via 2001:db8:4::1
	neigh add 192.0.2.1 lladdr $MAC_R4 dev c4-r nud permanent
	neigh add 2001:db8:4::1 lladdr $MAC_R4 dev c4-r nud permanent
	EOF
	nsx "$rtr" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding' || return 1
	# The end hosts drop the packet-rate traffic at ingress, so that no
	# ICMP port unreachable comes back through the router; TCP passes.
	local h
	for h in c6 c4; do
		nsx "${!h}" nft -f - <<-EOF || return 1
		table netdev bench_rx {
			chain in {
				type filter hook ingress device "$h-r" priority -500;
				udp dport { 9-19, $NAT64_PORT } counter drop
			}
		}
		EOF
	done
	# A process in c6 (c4 has the iperf3 server) through whose /proc/PID/net
	# the counters are read without spawning anything.
	ip netns exec "$c6" sleep infinity & HOLD_c6=$!
	nsx "$c4" iperf3 -s -D -I "$TMPD/iperf3.pid" >/dev/null 2>&1 || return 1
	busywait 5000 test -s "$TMPD/iperf3.pid" || return 1
	HOLD_c4=$(cat "$TMPD/iperf3.pid")
	# Wait until the server listens, read from its /proc/PID/net.
	busywait 5000 grep -q ':1451 0*:0000 0A' "/proc/$HOLD_c4/net/tcp6"
}

topo_down() {
	local p
	for p in $HOLD_c6 $HOLD_c4 ${TAYGA_PID:-}; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -f "$TMPD/iperf3.pid"
	ip -batch - <<-EOF 2>/dev/null
	netns del $c6
	netns del $rtr
	netns del $c4
	EOF
	NS_LIST=()
	TAYGA_PID=
	# Namespace teardown finishes in a workqueue: let it settle (longer
	# after a scale test: 100k sessions to free).
	sleep "${SETTLE:-0.5}"
	SETTLE=
}

# offloads pps|tcp: pps = GRO off everywhere (each packet through the
# router alone), the senders' TX checksum off (pktgen computes it: the
# router sees CHECKSUM_NONE, as from a NIC); tcp = GRO on everywhere, TX
# offloads on (TSO comes back with the TX checksum).
offloads() {
	[ "${OFFLOADS:-}" = "$1" ] && return 0
	if [ -z "$OFFLOADS" ]; then	# still in this namespace: topo_up
		ethtool -K c6-r tx off
		ethtool -K c4-r tx off
	elif [ "$1" = tcp ]; then
		nsx "$c6" ethtool -K c6-r gro on tx on
		nsx "$c4" ethtool -K c4-r gro on tx on
		nsx "$rtr" sh -c 'ethtool -K r6 gro on; ethtool -K r4 gro on'
	else
		nsx "$c6" ethtool -K c6-r gro off tx off
		nsx "$c4" ethtool -K c4-r gro off tx off
		nsx "$rtr" sh -c 'ethtool -K r6 gro off; ethtool -K r4 gro off'
	fi >/dev/null 2>&1
	OFFLOADS=$1
}

# ---------------------------------------------------------------- traffic

# profile NAME: who sends what to whom.
#   SND/SDEV/SHOLD  sender namespace, device, holder pid
#   RCV/RDEV/RHOLD  receiver namespace, device, holder pid
#   FAM SRC DST SPORT DPORT GWMAC  the pktgen packet
#   TDST TBIND      the TCP client's destination and source (from c6)
profile() {
	SND=$c6 SDEV=c6-r SHOLD=$HOLD_c6 RCV=$c4 RDEV=c4-r RHOLD=$HOLD_c4
	GWMAC=$MAC_R6 SPORT=9 DPORT=9 TBIND=
	case $1 in
	v6)	FAM=6 SRC=2001:db8:6::2 DST=2001:db8:4::2 TDST=2001:db8:4::2 ;;
	v4)	FAM=4 SRC=10.0.6.2 DST=$C4_V4 TDST=$C4_V4 ;;
	siit64)	FAM=6 SRC=$C6_ADDR DST=$C4_ADDR6 TDST=$C4_ADDR6 ;;
	nat64)	FAM=6 SRC=2001:db8:6::2 DST=$C4_ADDR6 TDST=$C4_ADDR6
		TBIND=2001:db8:6::2 ;;
	xnat46)	# nft_xlat NAT64's return path: the reply to the session
		# [2001:db8:6::2]:9 -> c4:9, source-NATed to NAT64_POOL:9.
		SND=$c4 SDEV=c4-r SHOLD=$HOLD_c4 RCV=$c6 RDEV=c6-r RHOLD=$HOLD_c6
		GWMAC=$MAC_R4 FAM=4 SRC=$C4_V4 DST=$NAT64_POOL ;;
	siit46|nat46)
		SND=$c4 SDEV=c4-r SHOLD=$HOLD_c4 RCV=$c6 RDEV=c6-r RHOLD=$HOLD_c6
		GWMAC=$MAC_R4 FAM=4 SRC=$C4_V4 DST=$C6_V4
		if [ "$1" = nat46 ]; then DST=192.0.2.1 DPORT=$NAT64_PORT; fi ;;
	*)	echo "bench: unknown profile $1" >&2; return 1 ;;
	esac
}

# Samples, all read by the shell itself.
# cpu_ticks CPU: S_B (busy) and S_A (all) in USER_HZ from /proc/stat.
cpu_ticks() {
	local name u n s i w q sq st rest
	while read -r name u n s i w q sq st rest; do
		[ "$name" = "cpu$1" ] || continue
		S_B=$((u + n + s + q + sq + st)) S_A=$((u + n + s + i + w + q + sq + st))
		return
	done </proc/stat
}
# pkts_sofar: packets pktgen has sent.
pkts_sofar() {
	local l
	S_TX=0
	while read -r l; do
		case $l in pkts-sofar:*) l=${l#pkts-sofar: }; S_TX=${l%% *}; return ;; esac
	done <"/proc/$SHOLD/net/pktgen/$SDEV"
}
# rx_packets: packets the router handed to the receiver's device.
rx_packets() {
	local name _rb rp rest
	S_RX=0
	while read -r name _rb rp rest; do
		[ "$name" = "$RDEV:" ] && { S_RX=$rp; return; }
	done <"/proc/$RHOLD/net/dev"
}
now_us() { local t=$EPOCHREALTIME; S_T=$((${t/./})); }

# snap PREFIX: clock, router and sender vCPU ticks, packets sent and
# delivered, into PREFIX_t, _b1, _a1, _b0, _a0, _tx, _rx.
snap() {
	rx_packets
	now_us
	cpu_ticks 1; local b1=$S_B a1=$S_A
	cpu_ticks 0
	[ -n "${SHOLD:-}" ] && [ -e "/proc/$SHOLD/net/pktgen/$SDEV" ] && pkts_sofar
	eval "$1_t=$S_T $1_b1=$b1 $1_a1=$a1 $1_b0=$S_B $1_a0=$S_A $1_tx=${S_TX:-0} $1_rx=$S_RX"
}

# pct X Y: 100 * X / Y with one decimal.
pct() { local v=$(( $2 > 0 ? 1000 * $1 / $2 : 0 )); echo "$((v / 10)).$((v % 10))"; }

emit() {	# fields of raw.csv after "round"
	local IFS=,
	echo "$ROUND,$*" >>"$RAW"
}

# pg_script: the pktgen set-up for the current profile, then "start" (which
# returns when pktgen stops).  PG_COUNT packets (0: until stopped), source
# ports [PG_SMIN, PG_SMAX) in turn (default: SPORT alone), to PG_DPORT
# (default DPORT).
pg_script() {
	local size pg smin=${PG_SMIN:-$SPORT} smax=${PG_SMAX:-$SPORT}
	size=$((14 + (FAM == 6 ? 40 : 20) + 8 + 64))
	pg="cd /proc/net/pktgen
	echo rem_device_all >kpktgend_0
	echo 'add_device $SDEV' >kpktgend_0
	d=$SDEV
	echo 'count ${PG_COUNT:-0}' >\$d
	echo 'delay 0' >\$d
	echo 'clone_skb 0' >\$d
	echo 'pkt_size $size' >\$d
	echo 'flag UDPCSUM' >\$d
	echo 'dst_mac $GWMAC' >\$d
	echo 'udp_src_min $smin' >\$d; echo 'udp_src_max $smax' >\$d
	echo 'udp_dst_min ${PG_DPORT:-$DPORT}' >\$d; echo 'udp_dst_max ${PG_DPORT:-$DPORT}' >\$d"
	if [ "$FAM" = 6 ]; then
		pg+="
	echo 'dst6 $DST' >\$d; echo 'src6 $SRC' >\$d"
	else
		pg+="
	echo 'dst $DST' >\$d; echo 'src_min $SRC' >\$d; echo 'src_max $SRC' >\$d"
	fi
	PG=$pg"
	exec echo start >pgctrl"
}

# measure_pps TEST CONFIG PROFILE [SESSIONS]: pktgen, 64-byte UDP payload,
# one flow.  SESSIONS: the live sessions in the router's table (scale).
# shellcheck disable=SC2154	# A_* and B_* are set by snap through eval
measure_pps() {
	local test=$1 cfg=$2 pgjob
	profile "$3" || return 1
	offloads pps
	pg_script
	nsx "$SND" sh -ec "$PG" 2>/dev/null &
	pgjob=$!
	# Warm-up starts when pktgen does.
	S_TX=0
	busywait 5000 eval '[ -e "/proc/$SHOLD/net/pktgen/$SDEV" ] && pkts_sofar && [ "$S_TX" -gt 0 ]' || {
		log "r$ROUND $test: pktgen did not start"
		kill $pgjob 2>/dev/null
		return 1
	}
	sleep "$WARM"
	snap A
	if [ -n "${PPS_DURING:-}" ]; then $PPS_DURING; else sleep "$PPS_SECS"; fi
	snap B
	nsx "$SND" sh -c 'echo stop >/proc/net/pktgen/pgctrl' 2>/dev/null
	wait $pgjob 2>/dev/null
	[ -n "${BENCH_DEBUG:-}" ] && debug_dump

	local dt=$((B_t - A_t)) rx=$((B_rx - A_rx)) tx=$((B_tx - A_tx))
	local busy=$((B_b1 - A_b1)) pps ns loss rtr snd
	pps=$(( dt > 0 ? rx * 1000000 / dt : 0 ))
	# busy is in 1/100 s: ns = busy * 10^7 / rx
	ns=$(( rx > 0 ? busy * 10000000 / rx : 0 ))
	rtr=$(pct "$busy" $((B_a1 - A_a1)))
	snd=$(pct $((B_b0 - A_b0)) $((B_a0 - A_a0)))
	loss=$(( tx > 0 ? 10000 * (tx - rx) / tx : 0 ))
	loss=$( ((loss < 0)) && printf -- '-'; printf '%d.%02d' $(( (loss < 0 ? -loss : loss) / 100 )) $(( (loss < 0 ? -loss : loss) % 100 )))
	emit "$test" pps "$cfg" "$pps" pps "$rtr" "$ns" ns/pkt "$snd" "$loss" \
		"$((dt / 1000000)).$(printf %06d $((dt % 1000000)))" "${4:-}"
	log "r$ROUND $test: $((pps / 1000)).$((pps % 1000 / 100)) kpps, router $rtr% $ns ns/pkt, sender $snd%, loss $loss%"
	# Nothing delivered: the case is broken, not slow.
	[ "$pps" -gt 0 ]
}

# measure_tcp TEST CONFIG PROFILE STREAMS: iperf3 from c6 to c4, GRO on.
# shellcheck disable=SC2154	# A_* and B_* are set by snap through eval
measure_tcp() {
	local test=$1 cfg=$2 n=$4 out line kb='' kbps='' f i u
	profile "$3" || return 1
	offloads tcp
	SHOLD='' snap A
	out=$(nsx "$c6" iperf3 -c "$TDST" ${TBIND:+-B "$TBIND"} -t "$TCP_SECS" \
		-P "$n" -f k --connect-timeout 5000 2>&1)
	SHOLD='' snap B
	[ -n "${BENCH_DEBUG:-}" ] && { echo "$out"; debug_dump; }
	# The receiver's summary: "... N KBytes  R Kbits/sec ... receiver"
	# (the [SUM] line with several streams).
	while read -r line; do
		case $line in *receiver) ;; *) continue ;; esac
		[ "$n" = 1 ] || [[ $line == *SUM* ]] || continue
		read -ra f <<<"$line"
		for ((i = 0; i < ${#f[@]} - 1; i++)); do
			u=${f[i + 1]}
			case $u in
			Bytes|KBytes|MBytes|GBytes) kb=$(awk -v v="${f[i]}" -v u="$u" 'BEGIN {
				m = u == "Bytes" ? 1 / 1024 : u == "KBytes" ? 1 : u == "MBytes" ? 1024 : 1048576
				printf "%d", v * m }') ;;
			Kbits/sec) kbps=${f[i]} ;;
			esac
		done
	done <<<"$out"
	if [ -z "$kbps" ] || [ -z "$kb" ]; then
		log "r$ROUND $test x$n: iperf3 failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
	local dt=$((B_t - A_t)) busy=$((B_b1 - A_b1)) rtr snd cost
	rtr=$(pct "$busy" $((B_a1 - A_a1)))
	snd=$(pct $((B_b0 - A_b0)) $((B_a0 - A_a0)))
	# ns per KiB: busy (1/100 s) * 10^7 / KiB
	cost=$(( kb > 0 ? busy * 10000000 / kb : 0 ))
	emit "$test" "tcp$n" "$cfg" "$((kbps / 1000)).$((kbps % 1000 / 100))" Mbit/s \
		"$rtr" "$cost" ns/KB "$snd" 0 "$((dt / 1000000)).$(printf %06d $((dt % 1000000)))" ""
	log "r$ROUND $test x$n: $((kbps / 1000)) Mbit/s, router $rtr% $cost ns/KB, ends $snd%"
}

# debug_dump (BENCH_DEBUG=1): the router's view after a test.
debug_dump() {
	echo "--- debug: router"
	nsx "$rtr" ip -s link
	nsx "$rtr" nstat -az 2>/dev/null | grep -v ' 0 ' | head -n 40
	nsx "$rtr" jool_siit -i bench stats display 2>/dev/null
	nsx "$rtr" jool -i bench stats display 2>/dev/null
	[ -f "$TMPD/tayga.log" ] && tail -n 20 "$TMPD/tayga.log"
	nsx "$rtr" ip route; nsx "$rtr" ip -6 route
	nsx "$rtr" conntrack -L 2>/dev/null | head -n 10
	nsx "$rtr" grep -v ' 0$' /proc/net/stat/nft_xlat 2>/dev/null
	nsx "$rtr" nft list ruleset 2>/dev/null | grep -E 'counter|policy'
	echo "--- debug: receiver"
	nsx "$RCV" ip -s link
	nsx "$RCV" nft list table netdev bench_rx
}

# ---------------------------------------------------------------- cases
#
# A configuration turns the router into one kind of translator (or none);
# its tests are "kind:test-id:profile".  cfg_<name> sets the router up and
# fails with a message (SKIP_WHY) when it cannot.

XLAT_OK=0
if grep -q '^nft_xlat ' /proc/modules; then
	XLAT_OK=1
	# Probe nft once, in this shell, so every xlat_rule reuses the answer.
	xlat_nft_probe >/dev/null
fi
# Why nft_xlat is absent: tests/rig/bench.sh writes it into host.env.
XLAT_SKIP=$(sed -n "s/^xlat_skip=//p" "$OUT/host.env" 2>/dev/null)
XLAT_SKIP=$(eval "echo ${XLAT_SKIP:-}" 2>/dev/null)
need_xlat() {
	[ "$XLAT_OK" = 1 ] && return 0
	SKIP_WHY="nft_xlat.ko is not loaded: ${XLAT_SKIP:-the module did not build}"
	return 1
}

# xlat_chain FAMILY TABLE CHAIN MODE: the regular chain CHAIN (declared
# empty in the ruleset) gets its one xlat rule.
# XLAT_OPT_from / XLAT_OPT_to: options for the rule of that mode.
xlat_chain() {
	local opt=XLAT_OPT_$4
	# shellcheck disable=SC2086	# the options are words or nothing
	xlat_rule "$rtr" "$1" "$2" "$3" xlat "$4" "$PFX" ${!opt:-}
}

tests_fwd="pps:fwd6:v6 pps:fwd4:v4 tcp:fwd6:v6 tcp:fwd4:v4"
cfg_fwd() { :; }

tests_fwd_ct="pps:fwd6-ct:v6 pps:fwd4-ct:v4 tcp:fwd6-ct:v6 tcp:fwd4-ct:v4"
cfg_fwd_ct() {
	nsx "$rtr" nft -f - <<-EOF
	table inet fw {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state invalid drop
		}
	}
	EOF
}

# nft_xlat SIIT, both directions at one hook.  A packet rate test uses one
# of the two rules; TCP uses both (data 6->4, ACKs 4->6).
tests_xlat_in="pps:xlat-in-64:siit64 pps:xlat-in-46:siit46 tcp:xlat-in:siit64"
cfg_xlat_in() {
	need_xlat || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table netdev xlat {
		chain x64 { }
		chain x46 { }
		chain in6 {
			type filter hook ingress device "r6" priority 0;
			ip6 daddr $PFX jump x64
		}
		chain in4 {
			type filter hook ingress device "r4" priority 0;
			ip daddr 198.51.100.0/24 jump x46
		}
	}
	EOF
	xlat_chain netdev xlat x64 from && xlat_chain netdev xlat x46 to
}

tests_xlat_pre="pps:xlat-pre-64:siit64 pps:xlat-pre-46:siit46 tcp:xlat-pre:siit64"
cfg_xlat_pre() {
	need_xlat || return 1
	# Priority -450: before defrag (-400) and conntrack (-200).
	nsx "$rtr" nft -f - <<-EOF || return 1
	table inet xlat {
		chain x64 { }
		chain x46 { }
		chain pre {
			type filter hook prerouting priority -450;
			iifname "r6" ip6 daddr $PFX jump x64
			iifname "r4" ip daddr 198.51.100.0/24 jump x46
		}
	}
	EOF
	xlat_chain inet xlat x64 from && xlat_chain inet xlat x46 to
}

tests_xlat_post="pps:xlat-post-64:siit64 pps:xlat-post-46:siit46 tcp:xlat-post:siit64"
cfg_xlat_post() {
	need_xlat || return 1
	# Postrouting needs a route in the original family to the egress.
	nsx "$rtr" ip -6 route add "$PFX" dev r4 || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table inet xlat {
		chain x64 { }
		chain x46 { }
		chain post {
			type filter hook postrouting priority 100;
			oifname "r4" ip6 daddr $PFX jump x64
			oifname "r6" meta nfproto ipv4 jump x46
		}
	}
	EOF
	xlat_chain inet xlat x64 from && xlat_chain inet xlat x46 to
}

# The reference ruleset: xlat in nat chains, which bind each connection
# (6->4 bound at ip6 prerouting, 4->6 at ip postrouting).  One conntrack
# entry per flow: the baseline is forwarding with conntrack.
tests_xlat_nat="pps:xlat-nat-64:siit64 pps:xlat-nat-46:siit46 tcp:xlat-nat:siit64"
cfg_xlat_nat() {
	need_xlat || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table ip xlat4 {
		chain x46 { }
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "r6" jump x46
		}
	}
	table ip6 xlat6 {
		chain x64 { }
		chain pre {
			type nat hook prerouting priority dstnat;
			iifname "r6" ip6 saddr $PFX jump x64
		}
	}
	EOF
	xlat_chain ip6 xlat6 x64 from && xlat_chain ip xlat4 x46 to
}

# The lab's ruleset (tests/lab/lab.sh): 6->4 at ingress, 4->6 at
# postrouting, conntrack on the IPv4 leg and a stateful forward chain.
tests_xlat_lab="pps:xlat-lab-64:siit64 pps:xlat-lab-46:siit46 tcp:xlat-lab:siit64"
cfg_xlat_lab() {
	need_xlat || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table inet siit {
		chain x64 { }
		chain x46 { }
		chain from_client {
			type filter hook ingress device "r6" priority 0;
			ip6 daddr $PFX jump x64
		}
		chain to_client {
			type filter hook postrouting priority 100;
			oifname "r6" meta nfproto ipv4 jump x46
		}
		chain forward {
			type filter hook forward priority 0; policy drop;
			ct state established,related accept
			iifname "r6" ip daddr 192.0.2.0/24 ct state new accept
		}
	}
	EOF
	xlat_chain inet siit x64 from && xlat_chain inet siit x46 to || return 1
	# Its forward chain admits new flows from c6 only: open the session
	# [198.51.100.6]:9 -> c4:9 the 4->6 packet rate answers to.
	profile siit64 && PG_COUNT=1 pg_burst
	profile siit46 && PG_COUNT=1 pg_burst
}

# Jool SIIT (netfilter mode: its own prerouting hooks, translates what it
# can) and Jool NAT64 (its own BIB/session tables; pool4 = the router's
# IPv4 address; a static BIB entry gives the 4->6 packet rate a session).
tests_jool_siit="pps:jool-siit-64:siit64 pps:jool-siit-46:siit46 tcp:jool-siit:siit64"
cfg_jool_siit() {
	command -v jool_siit >/dev/null || { SKIP_WHY="jool-tools not installed (tests/rig/bench-setup.sh)"; return 1; }
	[ -d /sys/module/jool_siit ] || modprobe jool_siit ||
		{ SKIP_WHY="jool_siit.ko missing for $(uname -r) (tests/rig/bench-setup.sh)"; return 1; }
	nsx "$rtr" jool_siit instance add bench --netfilter --pool6 "$PFX"
}

tests_jool_nat64="pps:jool-nat64-64:nat64 pps:jool-nat64-46:nat46 tcp:jool-nat64:nat64"
cfg_jool_nat64() {
	command -v jool >/dev/null || { SKIP_WHY="jool-tools not installed (tests/rig/bench-setup.sh)"; return 1; }
	[ -d /sys/module/jool ] || modprobe jool ||
		{ SKIP_WHY="jool.ko missing for $(uname -r) (tests/rig/bench-setup.sh)"; return 1; }
	nsx "$rtr" sh -ec "
	jool instance add bench --netfilter --pool6 '$PFX'
	for p in --tcp --udp --icmp; do
		jool -i bench pool4 add 192.0.2.1 $NAT64_PORT-65535 \$p
	done
	jool -i bench bib add '2001:db8:6::2#$NAT64_PORT' '192.0.2.1#$NAT64_PORT' --udp"
}

# Tayga: a userspace daemon on a TUN device (pinned to the router's vCPU),
# mapping IPv6 clients into a private dynamic pool, and NAT44 (nft
# masquerade) from that pool to the router's address: its usual setup.
tests_tayga="pps:tayga-64:nat64 tcp:tayga:nat64"
cfg_tayga() {
	command -v tayga >/dev/null || { SKIP_WHY="tayga not installed (tests/rig/bench-setup.sh)"; return 1; }
	[ -c /dev/net/tun ] || modprobe tun || { SKIP_WHY="no tun module"; return 1; }
	mkdir -p "$TMPD/tayga"
	cat >"$TMPD/tayga.conf" <<-EOF
	tun-device nat64
	ipv4-addr 192.168.255.1
	prefix $PFX
	dynamic-pool 192.168.255.0/24
	data-dir $TMPD/tayga
	EOF
	nsx "$rtr" sh -ec "
	tayga -c '$TMPD/tayga.conf' --mktun >/dev/null
	ip link set nat64 up
	ip route add 192.168.255.0/24 dev nat64
	ip route add '$PFX' dev nat64
	echo 2 >/sys/class/net/nat64/queues/rx-0/rps_cpus
	nft -f - <<-EOT
	table ip nat44 {
		chain post {
			type nat hook postrouting priority 100;
			oifname r4 ip saddr 192.168.255.0/24 masquerade
		}
	}
	EOT" || return 1
	nsx "$rtr" taskset -c 1 tayga -c "$TMPD/tayga.conf" -n >"$TMPD/tayga.log" 2>&1 &
	TAYGA_PID=$!
	sleep 0.5
	kill -0 "$TAYGA_PID" 2>/dev/null
}

# The ceiling for NAT64 (issue 7): IPv6 forwarding with conntrack and
# IPv6 masquerade towards c4.
tests_fwd_ct_masq="pps:fwd6-ct-masq:v6 tcp:fwd6-ct-masq:v6"
cfg_fwd_ct_masq() {
	nsx "$rtr" nft -f - <<-EOF
	table ip6 masq {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state invalid drop
		}
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "r4" masquerade
		}
	}
	EOF
}

# The kernel's flowtable for plain forwarding (the reference of issue 6):
# fwd6-ct with "flow add @ft"; every packet after the first two takes the
# flowtable's ingress path.
tests_fwd_ft="pps:fwd6-ct-ft:v6 tcp:fwd6-ct-ft:v6"
cfg_fwd_ft() {
	nsx "$rtr" nft -f - <<-EOF
	table inet fw {
		flowtable ft {
			hook ingress priority 0; devices = { "r6", "r4" };
		}
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state invalid drop
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	EOF
}
check_fwd_ft() { ct_offloaded; }

# ct_offloaded: after the first packet-rate test of a configuration with
# a fast path (round 1 only), how many of the router's conntrack entries
# are offloaded: a fast path that never engages shows here.
ct_offloaded() {
	log "r$ROUND ${CFG_NAME}: conntrack entries [OFFLOAD]: $(nsx "$rtr" conntrack -L 2>/dev/null | grep -c OFFLOAD) of $(nsx "$rtr" conntrack -C 2>/dev/null)"
	[ -n "${BENCH_DEBUG:-}" ] && nsx "$rtr" conntrack -L 2>&1 | head -n 5
	return 0
}

# nft_xlat's own fast path (issue 6): the option "offload" on the rule that
# translates at postrouting.  Probed once: until the module and the tool
# know it, the cases are skipped with the reason.
XLAT_OFFLOAD=
xlat_offload_probe() {
	local ns=xlatoff-$$ err
	[ -n "$XLAT_OFFLOAD" ] && { [ "$XLAT_OFFLOAD" = ok ]; return; }
	ip netns add "$ns"
	if ! err=$(ip netns exec "$ns" nft add table ip6 p 2>&1 &&
		ip netns exec "$ns" nft add chain ip6 p c '{ type filter hook postrouting priority 0; }' 2>&1 &&
		xlat_rule "$ns" ip6 p c xlat from "$PFX" offload 2>&1); then
		# The kernel refuses flags it does not know (NLA_POLICY_MASK).
		XLAT_OFFLOAD="xlat from ... offload refused ($(xlat_nft_probe)): $(echo "$err" | head -n 1)"
	else
		XLAT_OFFLOAD=ok
	fi
	ip netns del "$ns"
	[ "$XLAT_OFFLOAD" = ok ]
}
need_offload() {
	need_xlat || return 1
	xlat_offload_probe && return 0
	SKIP_WHY="issue 6: $XLAT_OFFLOAD"
	return 1
}

# nft_xlat SIIT with the lab's placement (6->4 at ingress, 4->6 at
# postrouting, one IPv4 conntrack entry per flow) and "offload" on the
# postrouting rule.  The fast path takes UDP once answered: cfg_xlat_lab
# sends the session of the packet-rate tests one packet each way first.
tests_xlat_lab_ft="pps:xlat-lab-ft-64:siit64 pps:xlat-lab-ft-46:siit46 tcp:xlat-lab-ft:siit64"
cfg_xlat_lab_ft() {
	need_offload || return 1
	XLAT_OPT_to=offload cfg_xlat_lab
}
check_xlat_lab_ft() { ct_offloaded; }

# nft_xlat stateful NAT64 (issue 5): the kernel's IPv6 NAT and conntrack
# plus the two xlat rules, as tests/lab/nat64.nft with this topology's
# names and a one-address pool (NAT64_POOL).  UDP sessions outlive the run.
tests_xlat_nat64="pps:xlat-nat64-64:nat64 pps:xlat-nat64-46:xnat46 tcp:xlat-nat64:nat64"
cfg_xlat_nat64() {
	need_xlat || return 1
	nsx "$rtr" ip -6 route add "$PFX" dev r4 || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table ip6 nat64 {
		ct timeout nat64-udp {
			protocol udp; l3proto ip6
			policy = { unreplied: 900, replied: 900 }
		}
		chain timeouts {
			type filter hook prerouting priority filter; policy accept
			ct state new meta l4proto udp ct timeout set "nat64-udp"
		}
		chain forward {
			type filter hook forward priority filter; policy drop
			ct state established,related accept
			iifname "r6" ip6 daddr $PFX ct state new accept
		}
		chain pool {
			type nat hook postrouting priority srcnat; policy accept
			ip6 saddr != $PFX ct original ip6 daddr $PFX snat ip6 to $NAT64_POOL6
		}
		chain out {
			type filter hook postrouting priority srcnat + 10; policy accept
			oifname "r4" ip6 saddr $PFX ip6 daddr $PFX jump x6
		}
		chain x6 { }
	}
	table netdev nat64in {
		chain in {
			type filter hook ingress device "r4" priority 0; policy accept
			ip daddr $NAT64_POOL jump x4
		}
		chain x4 { }
	}
	EOF
	# shellcheck disable=SC2086	# the option is a word or nothing
	xlat_rule "$rtr" ip6 nat64 x6 xlat from "$PFX" ${XLAT_OPT_from:-} &&
	xlat_rule "$rtr" netdev nat64in x4 xlat to "$PFX" || return 1
	# The session the 4->6 packet rate answers to: [2001:db8:6::2]:9 ->
	# c4:9, mapped to NAT64_POOL:9, answered once (the fast path takes
	# UDP once answered).
	profile nat64 && PG_COUNT=1 pg_burst
	profile xnat46 && PG_COUNT=1 pg_burst
}

tests_xlat_nat64_ft="pps:xlat-nat64-ft-64:nat64 pps:xlat-nat64-ft-46:xnat46 tcp:xlat-nat64-ft:nat64"
cfg_xlat_nat64_ft() {
	need_offload || return 1
	XLAT_OPT_from=offload cfg_xlat_nat64
}
check_xlat_nat64_ft() { ct_offloaded; }

# NAT64 scale (RFC 9693 ideas): the session-setup rate, and the packet rate
# of one existing flow with 1k, 10k and 100k live sessions.  Sessions are
# opened by pktgen bursts from c6, one UDP packet per fresh (source port,
# destination port) pair; the rate is what the receiver got while a burst of
# SCALE_BLOCK new sessions ran (each delivered packet opened one session).
tests_xlat_nat64_scale="scale:xlat-nat64-setup:nat64 scale:xlat-nat64-1k:nat64 scale:xlat-nat64-10k:nat64 scale:xlat-nat64-100k:nat64"
cfg_xlat_nat64_scale() { cfg_xlat_nat64; }
tests_jool_nat64_scale="scale:jool-nat64-setup:nat64 scale:jool-nat64-1k:nat64 scale:jool-nat64-10k:nat64 scale:jool-nat64-100k:nat64"
cfg_jool_nat64_scale() { cfg_jool_nat64; }
SCALE_SIZES=${BENCH_SCALE_SIZES:-1000 10000 100000}
SCALE_SPORT=1024 SCALE_BLOCK=40000	# source ports [1024, 41024) per dport

# pg_burst: PG_COUNT packets of the current profile, source ports from
# PG_SMIN up (default: SPORT alone) to PG_DPORT; returns when pktgen is
# done.  Sets BURST_RX (delivered), BURST_RATE (delivered per second,
# from when the sender started to the end) and BURST_NS (router ns per
# delivered packet), BURST_RTR, BURST_SND (CPU %), BURST_LOSS, BURST_DT.
# shellcheck disable=SC2154	# Z_*, A_*, B_* are set by snap through eval
pg_burst() {
	local pgjob n=$PG_COUNT
	offloads pps
	snap Z
	[ -n "${PG_SMIN:-}" ] && PG_SMAX=$((PG_SMIN + n))
	pg_script
	nsx "$SND" sh -ec "$PG" 2>/dev/null &
	pgjob=$!
	S_TX=0
	busywait 5000 eval '[ -e "/proc/$SHOLD/net/pktgen/$SDEV" ] && pkts_sofar && [ "$S_TX" -gt 0 ]'
	snap A
	while kill -0 "$pgjob" 2>/dev/null; do sleep 0.05; done
	wait "$pgjob" 2>/dev/null
	snap B
	PG_SMAX=
	BURST_RX=$((B_rx - Z_rx)) BURST_TX=$B_tx BURST_DT=$((B_t - A_t))
	local rx=$((B_rx - A_rx)) busy=$((B_b1 - A_b1))
	BURST_RATE=$(( BURST_DT > 0 ? rx * 1000000 / BURST_DT : 0 ))
	BURST_NS=$(( rx > 0 ? busy * 10000000 / rx : 0 ))
	BURST_RTR=$(pct "$busy" $((B_a1 - A_a1)))
	BURST_SND=$(pct $((B_b0 - A_b0)) $((B_a0 - A_a0)))
	BURST_LOSS=$(( n > 0 ? 100 * (n - BURST_RX) / n : 0 ))
}

# open_sessions N: N more sessions (as many as the receiver gets), in
# bursts of fresh port pairs; SCALE_SPORT/SCALE_DPORT is the next pair.
# The first burst of SETUP_ID (when set) is the session-setup measurement.
open_sessions() {
	local want=$1 got=0 n tries=0
	while [ "$got" -lt "$want" ] && [ $((tries += 1)) -le 8 ]; do
		n=$((want - got))
		[ "$n" -gt $((1024 + SCALE_BLOCK - SCALE_SPORT)) ] && n=$((1024 + SCALE_BLOCK - SCALE_SPORT))
		PG_COUNT=$n PG_SMIN=$SCALE_SPORT PG_DPORT=$SCALE_DPORT pg_burst
		got=$((got + BURST_RX))
		[ -n "${BENCH_DEBUG:-}" ] && log "burst $n from $SCALE_SPORT to port $SCALE_DPORT: sent $BURST_TX, delivered $BURST_RX; conntrack -C $(nsx "$rtr" conntrack -C 2>/dev/null); $(nsx "$rtr" conntrack -S 2>/dev/null | tail -n 1)"
		SCALE_SPORT=$((SCALE_SPORT + n))
		if [ "$SCALE_SPORT" -ge $((1024 + SCALE_BLOCK)) ]; then
			SCALE_SPORT=1024 SCALE_DPORT=$((SCALE_DPORT + 1))
		fi
		if [ -n "${SETUP_ID:-}" ]; then
			emit "$SETUP_ID" setup "$CFG_NAME" "$BURST_RATE" sessions/s "$BURST_RTR" \
				"$BURST_NS" ns/session "$BURST_SND" "$BURST_LOSS" \
				"$((BURST_DT / 1000000)).$(printf %06d $((BURST_DT % 1000000)))" "$n"
			log "r$ROUND $SETUP_ID: $BURST_RATE new sessions/s over $n, router $BURST_RTR% $BURST_NS ns/session, loss $BURST_LOSS%"
			SETUP_ID=
		fi
		[ "$BURST_RX" -gt 0 ] || break
	done
	SESSIONS=$((SESSIONS + got))
}

# measure_scale CONFIG IDS...: the sizes in turn, the setup rate measured
# while the table grows from the second size to the third.
measure_scale() {
	local cfg=$1 ids=" ${*:2} " prefix=${2%-*} size label i=0 ct
	SCALE_SPORT=1024 SCALE_DPORT=10 SESSIONS=1 SETTLE=3
	profile nat64 || return 1
	for size in $SCALE_SIZES; do
		label=$((size / 1000))k
		SETUP_ID=
		[ $((i += 1)) = 3 ] && [[ $ids == *" $prefix-setup "* ]] && SETUP_ID=$prefix-setup
		[ "$SESSIONS" -lt "$size" ] && open_sessions $((size - SESSIONS))
		# nft_xlat: the conntrack table is the truth (delivered packets
		# have been seen to outnumber new entries): top up from it.
		if [ "$prefix" = xlat-nat64 ]; then
			for ct in 1 2 3; do
				ct=$(nsx "$rtr" conntrack -C 2>/dev/null)
				[ "${ct:-0}" -ge "$size" ] && break
				SESSIONS=$ct
				open_sessions $((size - ct))
			done
			SESSIONS=${ct:-$SESSIONS}
		fi
		[[ $ids == *" $prefix-$label "* ]] || continue
		log "r$ROUND $prefix-$label: $SESSIONS sessions open"
		measure_pps "$prefix-$label" "$cfg" nat64 "$SESSIONS" ||
			log "r$ROUND $prefix-$label: FAILED (nothing delivered)"
	done
}

CONFIGS="fwd fwd_ct fwd_ct_masq fwd_ft xlat_in xlat_pre xlat_post xlat_nat xlat_lab xlat_lab_ft
	xlat_nat64 xlat_nat64_ft jool_siit jool_nat64 tayga xlat_nat64_scale jool_nat64_scale"
# The multi-stream TCP test is left out where it adds little (the IPv4
# conntrack ceiling, which no translated case uses as its baseline), to
# keep the run short.
TCP1_ONLY="fwd4-ct fwd6-ct-masq fwd6-ct-ft xlat-lab-ft xlat-nat64-ft"

selected() {	# config: does BENCH_CASES select any of its tests?
	local t tl=tests_$1
	[ -z "$ONLY" ] && return 0
	for t in ${!tl}; do
		t=${t#*:}; t=${t%%:*}
		[[ $t =~ $ONLY ]] && return 0
	done
	return 1
}

# run_config NAME: set the router up and run the config's tests once.
run_config() {
	local cfg=$1 tl=tests_$1 t kind id prof n name=${1//_/-}
	local pps=() tcp=() scale=()
	CFG_NAME=$name
	SKIP_WHY=
	if ! topo_up; then
		log "r$ROUND $name: topology setup failed"
		topo_down
		return 1
	fi
	if ! "cfg_$cfg" >"$TMPD/cfg.log" 2>&1; then
		[ -n "$SKIP_WHY" ] || SKIP_WHY="setup failed: $(tail -n 3 "$TMPD/cfg.log" | tr '\n' ' ')"
		for t in ${!tl}; do
			id=${t#*:}; id=${id%%:*}
			skip_note "$id" "$SKIP_WHY"
		done
		topo_down
		return 0
	fi
	for t in ${!tl}; do
		IFS=: read -r kind id prof <<<"$t"
		[ -z "$ONLY" ] || [[ $id =~ $ONLY ]] || continue
		case $kind in
		pps) pps+=("$id:$prof") ;;
		tcp) tcp+=("$id:$prof") ;;
		scale) scale+=("$id") ;;
		esac
	done
	[ ${#scale[@]} = 0 ] || measure_scale "$name" "${scale[@]}"
	for t in "${pps[@]}"; do
		measure_pps "${t%%:*}" "$name" "${t#*:}" ||
			log "r$ROUND ${t%%:*}: FAILED (nothing delivered)"
		# A fast path's engagement, once per configuration.
		if { [ "$ROUND" = 1 ] || [ -n "${BENCH_DEBUG:-}" ]; } && declare -F "check_$cfg" >/dev/null; then
			"check_$cfg"
		fi
	done
	for t in "${tcp[@]}"; do
		for n in 1 $STREAMS; do
			[ "$n" != 1 ] && [[ " $TCP1_ONLY " == *" ${t%%:*} "* ]] && continue
			measure_tcp "${t%%:*}" "$name" "${t#*:}" "$n"
		done
	done
	topo_down
}

# perf_profiles: where the router's vCPU spends its time in each packet-rate
# test of the translators and in a burst of new NAT64 sessions (a separate
# pass after the rounds: perf's own
# start-up would disturb the measurement).  Shares are of the busy samples:
# the idle loop is left out.
PERF_CONFIGS=${BENCH_PERF_CONFIGS:-xlat_in xlat_pre xlat_post xlat_nat64 xlat_lab_ft xlat_nat64_ft jool_siit xlat_nat64_scale jool_nat64_scale}

# perf_report ID DATA: the profile's summary in $OUT/profile-ID.txt.
perf_report() {
	perf report -i "$2" --stdio -q --sort dso,sym 2>/dev/null |
		awk -v id="$1" -v k="$(uname -r)" -v mods="$TMPD/modsyms" '
		BEGIN { while ((getline l <mods) > 0) { split(l, f, " "); mod[f[1]] = f[2] } }
		$1 ~ /%$/ {
			p = $1; sub(/%/, "", p); dso = $2
			sym = $4; for (i = 5; i <= NF; i++) sym = sym " " $i
			if (sym in mod) dso = mod[sym]
			if (sym ~ /halt|idle|poll_idle/) { idle += p; next }
			busy += p; bydso[dso] += p; n++
			line[n] = sprintf("%6.2f%%  %-20s %s", p, dso, sym); pct[n] = p
		}
		END {
			printf "# %s on %s: perf record -e cpu-clock -C 1 (the router vCPU)\n", id, k
			printf "# busy %.1f%% of the samples; shares below are of the busy samples\n", busy
			printf "# by object:\n"
			for (d in bydso) printf "%6.2f%%  %s\n", 100 * bydso[d] / busy, d | "sort -rn"
			close("sort -rn")
			printf "# top symbols:\n"
			for (i = 1; i <= n && i <= 30; i++)
				printf "%6.2f%%  %s\n", 100 * pct[i] / busy, substr(line[i], 9)
		}' >"$OUT/profile-$1.txt"
	log "profile of $1: $(sed -n '/^# top symbols/,$p' "$OUT/profile-$1.txt" | sed -n 2,4p | tr -s ' ' | tr '\n' ';')"
}

# perf_setup ID: profile one burst of new NAT64 sessions (as the setup
# measurement opens them) on the configured topology.
perf_setup() {
	local pf=$TMPD/perf-$1.data perfpid
	profile nat64 || return 1
	# A window longer than the burst (about 1 s) once perf has started
	# (seconds under TCG); the shares leave the idle samples out.
	perf record -q -N -e cpu-clock -C 1 -o "$pf" -- sleep 8 &
	perfpid=$!
	busywait 5000 test -s "$pf"
	sleep 0.5
	PG_COUNT=30000 PG_SMIN=1024 PG_DPORT=10 pg_burst >/dev/null 2>&1
	wait "$perfpid" 2>/dev/null
	log "$1: profiled a burst of $BURST_RX new sessions in $((BURST_DT / 1000)) ms"
	perf_report "$1" "$pf"
}

perf_profiles() {
	local cfg tl t kind id prof pf
	command -v perf >/dev/null || { log "perf not installed: no profiles"; return; }
	# perf lists module symbols under [kernel.kallsyms]: name the module
	# from /proc/kallsyms.
	awk 'NF == 4 { print $3, $4 }' /proc/kallsyms >"$TMPD/modsyms"
	for cfg in $PERF_CONFIGS; do
		selected "$cfg" || continue
		topo_up && "cfg_$cfg" >/dev/null 2>&1 || { topo_down; continue; }
		tl=tests_$cfg
		for t in ${!tl}; do
			IFS=: read -r kind id prof <<<"$t"
			[ -z "$ONLY" ] || [[ $id =~ $ONLY ]] || continue
			if [ "$kind" = scale ] && [[ $id == *-setup ]]; then
				perf_setup "$id"
				continue
			fi
			[ "$kind" = pps ] || continue
			pf=$TMPD/perf-$id.data
			PPS_DURING="perf record -q -N -e cpu-clock -C 1 -o $pf -- sleep $PPS_SECS" \
				ROUND=perf RAW=/dev/null measure_pps "$id" "${cfg//_/-}" "$prof" \
				>/dev/null 2>&1
			perf_report "$id" "$pf"
		done
		topo_down
	done
}

# ---------------------------------------------------------------- main

modprobe -a pktgen nf_conntrack tun || { echo "FAIL: no pktgen module"; exit 1; }
# Peers' modules loaded up front; their hooks exist only in an instance.
modprobe -a jool_siit jool 2>/dev/null
# The conntrack table sized for the scale tests' 100k sessions (as one
# would for that many), the same for every case; both are global.
echo "${BENCH_CT_BUCKETS:-131072}" >/sys/module/nf_conntrack/parameters/hashsize
echo "${BENCH_CT_MAX:-262144}" >/proc/sys/net/netfilter/nf_conntrack_max
{
	echo "kernel=$(uname -r)"
	echo "cpus=$(grep -c '^processor' /proc/cpuinfo)"
	echo "rounds=$ROUNDS pps_secs=$PPS_SECS tcp_secs=$TCP_SECS warm_secs=$WARM streams=$STREAMS"
	echo "prefix=$PFX"
	echo "ct_buckets=$(cat /sys/module/nf_conntrack/parameters/hashsize) ct_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)"
	echo "scale_sizes=\"$SCALE_SIZES\""
	echo "cases=\"${ONLY:-all}\""
	echo "xlat_loaded=$XLAT_OK"
	echo "xlat_rule_path=${XLAT_NFT_PATH:-}"
	echo "jool=\"$(dpkg-query -W -f='${Version}' jool-dkms 2>/dev/null)\""
	echo "tayga=\"$(dpkg-query -W -f='${Version}' tayga 2>/dev/null)\""
	echo "nftables=\"$(nft --version 2>/dev/null)\""
	echo "iperf3=\"$(iperf3 --version 2>/dev/null | head -n 1)\""
	echo "start=$(date -u +%FT%TZ)"
} >"$META"

[ "$XLAT_OK" = 1 ] || log "nft_xlat.ko not loaded: its cases are skipped (${XLAT_SKIP:-the module did not build})"
configs=()
for c in $CONFIGS; do selected "$c" && configs+=("$c"); done
ncfg=${#configs[@]}
log "$ROUNDS rounds of ${configs[*]//_/-}"
for ROUND in $(seq "$ROUNDS"); do
	# Each round starts one configuration later: order effects average out.
	for i in $(seq 0 $((ncfg - 1))); do
		run_config "${configs[$(( (i + ROUND - 1) % ncfg ))]}"
	done
	log "round $ROUND done"
done
echo "end=$(date -u +%FT%TZ)" >>"$META"
echo "duration_s=$(( $(date +%s) - T0 ))" >>"$META"
[ "$PERF" = 1 ] && perf_profiles

python3 "$BENCH/report.py" "$OUT" || { echo "FAIL: report"; exit 1; }
# guest-init unloads nft_xlat after the run: wait until the namespaces that
# held its rules are gone.
if [ "$XLAT_OK" = 1 ]; then
	busywait 30000 sh -c '[ "$(cat /sys/module/nft_xlat/refcnt)" = 0 ]'
fi
log "done: $OUT/results.md"
