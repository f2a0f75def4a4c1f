#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle under load, and conntrack exhaustion.
#
#   c6 (IPv6 only) --veth-- rtr (translator) --veth-- c4 (IPv4 only)
#
# While TCP bulk streams and UDP floods run both ways through the
# translator (socat, as fast as the senders go), the test
#  - adds and deletes the xlat rules LIFECYCLE_CYCLES times (default 100,
#    split between netdev ingress and the post4 pairing: 6->4 at r6
#    ingress, 4->6 at r6 postrouting, conntrack in IPv4 between them):
#    LIFECYCLE_TOOL_CYCLES (1) with xlat_rule / xlat_list / nft delete rule
#    handle, the others from one python process speaking nf_tables netlink
#    (every 5th cycle also replaces a rule by handle);
#    /sys/module/nft_xlat/refcnt must follow exactly (2 with the rules, 0
#    without);
#  - flushes the ruleset, deletes and recreates the veth pairs, flushes
#    conntrack, deletes the translator's netns and then all three, and
#    recreates them; after each, pings must go through again;
#  - unloads nft_xlat once no rule uses it (and not before) and loads it
#    again the way tests/rig/guest-init.sh does.
# Then, with nf_conntrack_max at LIFECYCLE_CT_MAX (64) and the post4
# pairing: the table fills with established TCP connections, new flows are
# refused and counted ("drop" in conntrack -S), an established flow keeps
# working, and new flows go through again once entries expire and after a
# flush.  Last: no conntrack entry left behind, the module unloads, and
# where debugfs has kmemleak, no new suspects after the unload; no
# "unregister_netdevice: waiting" in the kernel log.
#
# The guest init checks the kernel log for WARN/BUG/KASAN/lockdep reports
# and kmemleak after the run; the test leaves nft_xlat loaded as it found
# it, with no rules, so that check covers everything it did.
# shellcheck disable=SC2154	# c6, rtr, c4 are set by setup_ns
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

PFX=${PFX:-2001:db8:64::/96}
CYCLES=${LIFECYCLE_CYCLES:-100}
TOOL_CYCLES=${LIFECYCLE_TOOL_CYCLES:-1}
CT_MAX=${LIFECYCLE_CT_MAX:-64}
REFCNT=/sys/module/nft_xlat/refcnt
KO=$BUILD/nft_xlat.ko
KMEMLEAK=/sys/kernel/debug/kmemleak
T0=$(date +%s)

checktool "socat -V" "run the test without socat"
checktool "conntrack --version" "run the test without conntrack"
checktool "python3 -V" "run the test without python3"
checktool "test -e $REFCNT" "find nft_xlat loaded with module unloading (/sys/module/nft_xlat/refcnt)"
checktool "test -e $KO" "find $KO to load again"

elapsed() { echo "$(($(date +%s) - T0)) s"; }
dmesg_start=$(dmesg | wc -l)
kmemleak_before=$(grep -o '^unreferenced object 0x[0-9a-f]*' "$KMEMLEAK" 2>/dev/null | sort)

# refcnt_is N [TIMEOUT_MS]: nft_xlat's reference count becomes N (rules are
# released by a work item after the commit, netns rules by the netns
# cleanup work).
refcnt_is() {
	local want=$1 timeout=${2:-10000} start
	start=$(date +%s%3N)
	until [ "$(cat "$REFCNT" 2>/dev/null)" = "$want" ]; do
		[ $(($(date +%s%3N) - start)) -gt "$timeout" ] && return 1
		sleep 0.05
	done
}

# Wait for the references a previous test may have left to go (its netns
# is cleaned up asynchronously).
if ! refcnt_is 0 30000; then
	fail "nft_xlat refcnt $(cat "$REFCNT") at the start, with no rules of this test"
fi

# The guest (tests/rig/guest-init.sh) keeps one netfilter hook of each
# kind registered in a netns of its own, so deleting rulesets and
# namespaces under load does not flip static keys: under TCG a flip while
# another vCPU runs the patched code can end in "Oops: int3".
ct_max_saved=""
restore_ct_max() {
	[ -n "$ct_max_saved" ] && sysctl -wq net.netfilter.nf_conntrack_max="$ct_max_saved"
}
trap 'restore_ct_max; lib_cleanup' EXIT

# Placements.  The base chains select the traffic and jump to x6 / x4,
# which hold only the "counter xlat" rules the cycles add and delete.
# X6 / X4: FAMILY TABLE CHAIN of the 6->4 and 4->6 rules.
chains_netdev() {
	ip netns exec "$rtr" nft -f - <<-EOF
	table netdev xlat {
		chain x6 { }
		chain x4 { }
		chain in6 { type filter hook ingress device r6 priority 0;
			    ip6 daddr $PFX jump x6; }
		chain in4 { type filter hook ingress device r4 priority 0;
			    ip saddr 192.0.2.0/24 jump x4; }
	}
	EOF
}
chains_post4() {
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet xlat {
		chain x6 { }
		chain x4 { }
		chain in6 { type filter hook ingress device r6 priority 0;
			    ip6 daddr $PFX jump x6; }
		chain post { type filter hook postrouting priority 100;
			     oifname "r6" meta nfproto ipv4 jump x4; }
		chain forward { type filter hook forward priority 0;
				ct state new,established counter; }
	}
	EOF
}
placement() {	# netdev|post4
	PLACE=$1
	case $1 in
	netdev) X6=(netdev xlat x6) X4=(netdev xlat x4) ;;
	post4) X6=(inet xlat x6) X4=(inet xlat x4) ;;
	esac
}
add_xlat() {
	xlat_rule "$rtr" "${X6[@]}" counter xlat from "$PFX" &&
	xlat_rule "$rtr" "${X4[@]}" counter xlat to "$PFX"
}
# install: the placement's whole ruleset, from an empty one.
install() {
	ip netns exec "$rtr" nft flush ruleset
	"chains_$PLACE" && add_xlat
}

# rules FAMILY TABLE CHAIN: "HANDLE PACKETS" of each counter+xlat rule.
rules() {
	if [ "$(xlat_nft_probe)" = tool ]; then
		xlat_list "$rtr" "$@"
	else
		ip netns exec "$rtr" nft -a list chain "$@"
	fi | sed -n 's/.*counter packets \([0-9]*\) .*# handle \([0-9]*\)$/\2 \1/p'
}

# Load: bulk TCP and UDP floods both ways, each sender restarted when it
# fails (its connection or its route went away).
# Senders and receivers run at nice 19: the packets are processed in their
# context (veth), and the control plane (nft, ip, conntrack) has to get
# the CPU in time under TCG.
load_start() {
	( ip netns exec "$c4" nice -n 19 socat -u TCP4-LISTEN:5001,reuseaddr,fork /dev/null & )
	( ip netns exec "$c6" nice -n 19 socat -u TCP6-LISTEN:5002,reuseaddr,fork /dev/null & )
	( ip netns exec "$c4" nice -n 19 socat -u UDP4-RECV:5003 /dev/null & )
	( ip netns exec "$c6" nice -n 19 socat -u UDP6-RECV:5004 /dev/null & )
	sender "$c6" 65536 "TCP6:[$C4_ADDR6]:5001"
	sender "$c4" 65536 "TCP4:$C6_V4:5002"
	sender "$c6" 1200 "UDP6-SENDTO:[$C4_ADDR6]:5003"
	sender "$c4" 1200 "UDP4-SENDTO:$C6_V4:5004"
}
sender() {	# NS BLOCKSIZE ADDRESS
	( ip netns exec "$1" nice -n 19 bash -c "while :; do socat -u -b $2 /dev/zero '$3'; sleep 0.2; done" \
		>/dev/null 2>&1 & )
}
load_stop() {
	local ns i
	for i in 1 2 3; do
		for ns in "$c6" "$c4"; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		done
		sleep 0.2
	done
}
# rx_bytes: bytes received by c4 and c6 (both directions of the load).
rx_bytes() {
	local a b
	a=$(ip netns exec "$c4" cat /sys/class/net/c4-r/statistics/rx_bytes 2>/dev/null)
	b=$(ip netns exec "$c6" cat /sys/class/net/c6-r/statistics/rx_bytes 2>/dev/null)
	echo $((${a:-0} + ${b:-0}))
}

# probe WHAT: pings go through both ways (retried for 20 s: the load and
# TCG slow everything down).
probe() {
	local ok=""
	busywait 20000 ip netns exec "$c6" ping -q -c 1 -W 1 "$C4_ADDR6" \
		>/dev/null 2>&1 && ok=6
	busywait 20000 ip netns exec "$c4" ping -q -c 1 -W 1 "$C6_V4" \
		>/dev/null 2>&1 && ok=${ok}4
	case $ok in
	64) pass "$1: ping through both ways" ;;
	6) fail "$1: ping c4 -> c6 does not go through" ;;
	4) fail "$1: ping c6 -> c4 does not go through" ;;
	*) fail "$1: ping does not go through either way" ;;
	esac
}

# tool_cycles N: add the xlat rules with xlat_rule, read their handles
# back with xlat_list and delete them with "nft delete rule ... handle",
# N times, under load.  Each command is a process, and processes are slow
# to start under TCG: the many cycles go through nl_cycles.
tool_cycles() {
	local n=$1 i h6 h4 p6 p4 errs=() refs=() lines
	for ((i = 1; i <= n; i++)); do
		if ! add_xlat >/dev/null 2>"$TMPD/err"; then
			errs+=("$i: add: $(head -1 "$TMPD/err")")
		elif [ "$(cat "$REFCNT")" != 2 ]; then
			refs+=("$i: $(cat "$REFCNT") with 2 rules")
		fi
		read -r h6 p6 lines < <(rules "${X6[@]}" | paste -sd ' ')
		read -r h4 p4 _ < <(rules "${X4[@]}" | paste -sd ' ')
		if [ -z "$h4" ] || [ -z "$h6" ] || [ -n "$lines" ]; then
			errs+=("$i: listed '$h6 $p6 $lines' '$h4 $p4'")
		elif ! ip netns exec "$rtr" nft -f - 2>"$TMPD/err" <<-EOF
			delete rule ${X6[*]} handle $h6
			delete rule ${X4[*]} handle $h4
			EOF
		then
			errs+=("$i: delete: $(head -1 "$TMPD/err")")
		fi
		if [ ${#errs[@]} != 0 ]; then
			ip netns exec "$rtr" nft flush chain "${X6[@]}"
			ip netns exec "$rtr" nft flush chain "${X4[@]}"
		fi
		refcnt_is 0 || refs+=("$i: $(cat "$REFCNT") after the delete")
	done
	if [ ${#errs[@]} = 0 ] && [ ${#refs[@]} = 0 ]; then
		pass "$PLACE: $n cycles xlat_rule add, xlat_list, nft delete rule handle: refcnt 2, then 0"
	else
		fail "$PLACE: tool cycles: ${errs[*]:0:3} ${refs[*]:0:3}"
	fi
}

# nl_cycles N: N cycles in one process (nf_tables netlink, the messages
# nft-xlat-rule and nft send), under load: add the two xlat rules (one
# transaction each, handles from the echo), check refcnt, let traffic
# through them for LIFECYCLE_HOLD_MS, every 5th cycle replace the 6->4 rule
# by handle, delete both by handle (one transaction, or one each in even
# cycles; the echo carries the final counters), wait for refcnt to drop.
cat >"$TMPD/nl_cycles.py" <<-'EOF'
import os, socket, struct, sys, time

NFNL_SUBSYS_NFTABLES = 10
NEWRULE, DELRULE = NFNL_SUBSYS_NFTABLES << 8 | 6, NFNL_SUBSYS_NFTABLES << 8 | 8
REQUEST, ACK, ECHO, REPLACE, CREATE, APPEND = 1, 4, 8, 0x100, 0x400, 0x800
FAMILIES = {"ip": 2, "ip6": 10, "inet": 1, "netdev": 5}
REFCNT = "/sys/module/nft_xlat/refcnt"

family = FAMILIES[sys.argv[1]]
table, chain6, chain4 = sys.argv[2:5]
prefix, plen = sys.argv[5].split("/")
prefix, plen = socket.inet_pton(socket.AF_INET6, prefix), int(plen)
cycles, hold = int(sys.argv[6]), float(sys.argv[7]) / 1000

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
sock.bind((0, 0))
sock.settimeout(20)
seq = int(time.time())


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * (-n % 4)


def nest(t, *parts):
    return attr(t | 0x8000, b"".join(parts))


def strz(t, s):
    return attr(t, s.encode() + b"\0")


def msg(typ, flags, seq, fam, payload, res_id=0):
    body = struct.pack("=BB", fam, 0) + struct.pack(">H", res_id) + payload
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body


def attrs(data):
    off = 0
    while off + 4 <= len(data):
        n, t = struct.unpack_from("=HH", data, off)
        if n < 4:
            break
        yield t & 0x3fff, data[off + 4:off + n]
        off += (n + 3) & ~3


def rule(chain, mode, handle=None):
    counter = nest(1, strz(1, "counter"),
                   nest(2, attr(1, struct.pack(">Q", 0)),
                        attr(2, struct.pack(">Q", 0))))
    xlat = nest(1, strz(1, "xlat"),
                nest(2, attr(1, struct.pack(">I", mode)), attr(2, prefix),
                     attr(3, bytes([plen]))))
    p = strz(1, table) + strz(2, chain)
    if handle is not None:
        p += attr(3, struct.pack(">Q", handle))
    return p + nest(4, counter, xlat)


def delete(chain, handle):
    return strz(1, table) + strz(2, chain) + attr(3, struct.pack(">Q", handle))


def parse_rule(data):
    handle, packets = None, 0
    for t, v in attrs(data):
        if t == 3:
            handle = struct.unpack(">Q", v)[0]
        elif t == 4:
            for _, elem in attrs(v):
                name, edata = None, b""
                for et, ev in attrs(elem):
                    if et == 1:
                        name = ev.rstrip(b"\0").decode()
                    elif et == 2:
                        edata = ev
                if name == "counter":
                    for ct, cv in attrs(edata):
                        if ct == 2:
                            packets = struct.unpack(">Q", cv)[0]
    return handle, packets


def talk(*reqs):
    """One transaction; returns (errno, [(type, handle, packets)])."""
    global seq
    out, want = msg(16, REQUEST, seq, 0, b"", NFNL_SUBSYS_NFTABLES), set()
    seq += 1
    for typ, flags, payload in reqs:
        out += msg(typ, REQUEST | ACK | ECHO | flags, seq, family, payload)
        want.add(seq)
        seq += 1
    out += msg(17, REQUEST, seq, 0, b"", NFNL_SUBSYS_NFTABLES)
    seq += 1
    sock.send(out)
    err, notes = 0, []
    while want:
        data = sock.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            n, t, _, s, _ = struct.unpack_from("=IHHII", data, off)
            if t == 2:
                e = struct.unpack_from("=i", data, off + 16)[0]
                want.discard(s)
                err = err or -e
            elif t in (NEWRULE, DELRULE):
                notes.append((t,) + parse_rule(data[off + 20:off + n]))
            off += (n + 3) & ~3
    return err, notes


def refcnt():
    with open(REFCNT) as f:
        return int(f.read())


def refcnt_is(want, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if refcnt() == want:
            return True
        time.sleep(0.002)
    return False


base = refcnt()
errors, refs, packets, replaced, done = [], [], 0, 0, 0
for i in range(1, cycles + 1):
    try:
        e, n6 = talk((NEWRULE, CREATE | APPEND, rule(chain6, 2)))
        e2, n4 = talk((NEWRULE, CREATE | APPEND, rule(chain4, 1)))
        h6 = [h for t, h, _ in n6 if t == NEWRULE]
        h4 = [h for t, h, _ in n4 if t == NEWRULE]
        if e or e2 or len(h6) != 1 or len(h4) != 1:
            errors.append("%d: add: errno %d/%d, echoed %s %s" % (i, e, e2, h6, h4))
            continue
        h6, h4 = h6[0], h4[0]
        if refcnt() != base + 2:
            refs.append("%d: %d with 2 rules" % (i, refcnt()))
        time.sleep(hold)
        if i % 5 == 0:
            # Replace the 6->4 rule by handle: the old one goes, its
            # reference with it.
            e, n = talk((NEWRULE, REPLACE, rule(chain6, 2, h6)))
            h = [h for t, h, _ in n if t == NEWRULE]
            packets += sum(p for t, _, p in n if t == DELRULE)
            if e or len(h) != 1:
                errors.append("%d: replace: errno %d, echoed %s" % (i, e, h))
            else:
                h6 = h[0]
                replaced += 1
            if not refcnt_is(base + 2):
                refs.append("%d: %d after a replace" % (i, refcnt()))
        if i % 2:
            e, n = talk((DELRULE, 0, delete(chain6, h6)),
                        (DELRULE, 0, delete(chain4, h4)))
        else:
            e, n = talk((DELRULE, 0, delete(chain6, h6)))
            e2, n2 = talk((DELRULE, 0, delete(chain4, h4)))
            e, n = e or e2, n + n2
        gone = sorted(h for t, h, _ in n if t == DELRULE)
        if e or gone != sorted([h6, h4]):
            errors.append("%d: delete: errno %d, echoed %s" % (i, e, gone))
        packets += sum(p for t, _, p in n if t == DELRULE)
        if not refcnt_is(base):
            refs.append("%d: %d after the delete" % (i, refcnt()))
        done += 1
    except OSError as ex:
        errors.append("%d: %s" % (i, ex))
print("completed=%d errors=%d refbad=%d packets=%d replaced=%d base=%d" %
      (done, len(errors), len(refs), packets, replaced, base))
for line in errors[:3] + refs[:3]:
    print("  " + line)
EOF
nl_cycles() {
	local n=$1 start out
	start=$(date +%s)
	out=$(ip netns exec "$rtr" python3 "$TMPD/nl_cycles.py" "${X6[0]}" \
		"${X6[1]}" "${X6[2]}" "${X4[2]}" "$PFX" "$n" "${LIFECYCLE_HOLD_MS:-20}" 2>&1)
	local completed=-1 errors=-1 refbad=-1 packets=0 replaced=0 base=-1
	eval "$(head -1 <<<"$out" | grep -E '^completed=[0-9]+ errors=[0-9]+ refbad=[0-9]+ packets=[0-9]+ replaced=[0-9]+ base=[0-9]+$')"
	if [ "$completed" = "$n" ] && [ "$errors" = 0 ]; then
		pass "$PLACE: $n add/replace/delete cycles under load ($replaced replaces) in $(($(date +%s) - start)) s"
	else
		fail "$PLACE: netlink cycles: $completed of $n done, $errors errors"
		echo "$out"
	fi
	if [ "$refbad" = 0 ] && [ "$base" = 0 ]; then
		pass "$PLACE: refcnt 2 with the rules, 0 after each delete ($n cycles)"
	else
		fail "$PLACE: refcnt base $base, wrong $refbad times"
		echo "$out"
	fi
	if [ "$packets" -gt 0 ]; then
		pass "$PLACE: $packets packets translated by the rules of the cycles"
	else
		fail "$PLACE: no packet translated by the rules of the cycles"
	fi
}

ct_count() { ip netns exec "$rtr" conntrack -C 2>/dev/null; }
ct_listed() { ip netns exec "$rtr" conntrack -L 2>/dev/null | wc -l; }
# tcp_closing NS: the sockets of NS on port 7000 that can still send a
# segment (all but TIME_WAIT); tcp_quiet NS: there is none.
tcp_closing() {
	ip netns exec "$1" ss -Htn state connected exclude time-wait \
		'( sport = :7000 or dport = :7000 )'
}
tcp_quiet() { ! tcp_closing "$1" | grep -q .; }
# ct_stat NAME: the sum over the CPUs of a conntrack -S counter in rtr.
ct_stat() {
	ip netns exec "$rtr" conntrack -S 2>/dev/null |
		sed -n "s/.* $1=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

# Part 3: lifecycle under load
setup_siit_topology "$PFX"
ct_base=$(ct_count)
placement netdev
install || fail "netdev: loading the rules"
load_start
probe "netdev, load running"
rx0=$(rx_bytes)
sleep 2
echo "INFO: load: $(( ($(rx_bytes) - rx0) / 2 / 1024 )) KiB/s received by c4 and c6 with the rules in place"

ip netns exec "$rtr" nft flush chain "${X6[@]}"
ip netns exec "$rtr" nft flush chain "${X4[@]}"
if refcnt_is 0; then
	tool_cycles "$TOOL_CYCLES"
	nl_cycles $(((CYCLES + 1) / 2))
else
	fail "netdev: refcnt $(cat "$REFCNT") with the xlat rules flushed"
fi
add_xlat
probe "netdev, after the cycles"

ip netns exec "$rtr" nft flush ruleset
if refcnt_is 0; then
	pass "netdev: nft flush ruleset under load: refcnt 0"
else
	fail "netdev: nft flush ruleset under load: refcnt $(cat "$REFCNT")"
fi
install
probe "netdev, ruleset flushed and loaded again"

# The veth pairs go away under the base chains bound to them (kernels
# differ: the chains go with the device, or stay unbound).
ip -n "$rtr" link del r6
ip -n "$rtr" link del r4
sleep 1
echo "INFO: veths deleted under load: refcnt $(cat "$REFCNT")," \
	"xlat rules left: $(rules "${X6[@]}" 2>/dev/null | wc -l)+$(rules "${X4[@]}" 2>/dev/null | wc -l)"
if siit_links "$PFX"; then
	pass "veth pairs deleted and recreated under load"
else
	fail "veth pairs deleted and recreated under load"
fi
install
probe "netdev, veth pairs recreated"

placement post4
install || fail "post4: loading the rules"
probe "post4, load running"
ip netns exec "$rtr" nft flush chain "${X6[@]}"
ip netns exec "$rtr" nft flush chain "${X4[@]}"
if refcnt_is 0; then
	tool_cycles "$TOOL_CYCLES"
	nl_cycles $((CYCLES / 2))
else
	fail "post4: refcnt $(cat "$REFCNT") with the xlat rules flushed"
fi
add_xlat
sleep 1
n=$(ct_count)
flushes=0
for i in 1 2 3 4 5; do
	ip netns exec "$rtr" conntrack -F >/dev/null 2>&1 && flushes=$((flushes + 1))
	sleep 0.2
done
if [ "$flushes" = 5 ]; then
	pass "post4: conntrack -F 5 times under load ($n entries before)"
else
	fail "post4: conntrack -F failed $((5 - flushes)) times of 5"
fi
probe "post4, conntrack flushed"

# The translator's netns goes with its rules, under load; then all three.
ip netns del "$rtr"
if refcnt_is 0 30000; then
	pass "rtr netns deleted under load: its xlat rules released (refcnt 0)"
else
	fail "rtr netns deleted under load: refcnt $(cat "$REFCNT")"
fi
cleanup_all_ns
[ -n "${LIFECYCLE_TRACE:-}" ] && echo "INFO: $(elapsed): namespaces deleted"
setup_siit_topology "$PFX"
[ -n "${LIFECYCLE_TRACE:-}" ] && echo "INFO: $(elapsed): topology up"
install
load_start
[ -n "${LIFECYCLE_TRACE:-}" ] && echo "INFO: $(elapsed): load started"
probe "post4, namespaces recreated"

load_stop
ip netns exec "$rtr" conntrack -F >/dev/null 2>&1
if busywait 10000 yields "$ct_base" ct_count &&
   [ "$(ct_listed)" = "$ct_base" ]; then
	pass "post4: conntrack back to $ct_base entries after the load and a flush"
else
	fail "post4: conntrack: $(ct_count) entries, $(ct_listed) listed after the load and a flush (want $ct_base)"
fi
load_start

# The module: busy while a rule holds it, unloaded once none does, loaded
# again like the guest init loads it.
load_module() { xlat_load_module; }
# unload_module WHAT: rmmod, the module and its per-netns file gone.
unload_module() {
	if rmmod nft_xlat 2>"$TMPD/err" && [ ! -e /sys/module/nft_xlat ] &&
	   ! ip netns exec "$rtr" test -e /proc/net/stat/nft_xlat; then
		pass "$1: nft_xlat unloaded, /proc/net/stat/nft_xlat gone"
		return 0
	fi
	fail "$1: nft_xlat not unloaded: $(cat "$TMPD/err")"
	return 1
}

if rmmod nft_xlat 2>/dev/null || [ ! -e "$REFCNT" ]; then
	fail "module: rmmod succeeded with 2 xlat rules installed"
	load_module
	install
else
	pass "module: rmmod refused while 2 xlat rules use it (refcnt $(cat "$REFCNT"))"
fi
ip netns exec "$rtr" nft flush ruleset
if refcnt_is 0; then
	pass "module: refcnt 0 once the ruleset is flushed"
else
	fail "module: refcnt $(cat "$REFCNT") once the ruleset is flushed"
fi
if unload_module "module, load running"; then
	chains_post4
	if xlat_rule "$rtr" "${X6[@]}" counter xlat from "$PFX" >/dev/null 2>&1; then
		fail "module: an xlat rule was accepted with nft_xlat unloaded"
	else
		pass "module: xlat rules refused while nft_xlat is unloaded"
	fi
	ip netns exec "$rtr" nft flush ruleset
	if load_module 2>"$TMPD/err" && [ "$(cat "$REFCNT")" = 0 ] &&
	   [ -z "$(ip netns exec "$rtr" awk '$2 != 0' /proc/net/stat/nft_xlat)" ]; then
		pass "module: loaded again, refcnt 0, counters of rtr 0"
	else
		fail "module: loading again: $(cat "$TMPD/err")"
	fi
fi
install
probe "post4, module reloaded"
load_stop

# Part 4: exhaustion.  nf_conntrack_max is only writable in init_net on
# most kernels (the limit is global, the count per netns): set it there
# when rtr's is read-only, and put it back at the end.
# (6.1 lets rtr write its copy, which does not limit anything: set both.)
where="init_net"
ip netns exec "$rtr" sysctl -wq net.netfilter.nf_conntrack_max="$CT_MAX" 2>/dev/null &&
	where="init_net and rtr"
ct_max_saved=$(sysctl -n net.netfilter.nf_conntrack_max)
sysctl -wq net.netfilter.nf_conntrack_max="$CT_MAX"
echo "INFO: nf_conntrack_max $CT_MAX set in $where"
# Closed connections leave their entries within a second or two.
for t in fin_wait close_wait last_ack time_wait close; do
	ip netns exec "$rtr" sysctl -wq "net.netfilter.nf_conntrack_tcp_timeout_$t=1"
done

cat >"$TMPD/server.py" <<-'EOF'
import select, socket
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", 7000))
ls.listen(512)
conns = []
while True:
    r, _, _ = select.select([ls] + conns, [], [])
    for s in r:
        if s is ls:
            conns.append(ls.accept()[0])
            continue
        try:
            d = s.recv(4096)
        except OSError:
            d = b""
        if d:
            s.sendall(d)
        else:
            conns.remove(s)
            s.close()
EOF
# The client: one command a line on stdin, one answer a line.
#   est: open the established flow; ping: a round trip on it
#   fill T N: open connections one at a time until one takes more than
#      T s, at most N
#   try T: one new connection (closed at once); burst N T: N at once
#   close: close what fill opened
cat >"$TMPD/client.py" <<-'EOF'
import select, socket, sys, time
dst = sys.argv[1]
def connect(t):
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return None
    s.settimeout(t)
    try:
        s.connect((dst, 7000))
        return s
    except OSError:
        s.close()
        return None
def burst(n, t):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((dst, 7000))
        socks.append(s)
    ok, pending, end = 0, set(socks), time.time() + t
    while pending and time.time() < end:
        _, w, _ = select.select([], list(pending), [], max(0, end - time.time()))
        for s in w:
            pending.discard(s)
            ok += s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
    for s in socks:
        s.close()
    return ok
est, held = None, []
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "est":
        est = connect(5)
        ans = "ok" if est else "fail"
    elif cmd[0] == "ping":
        ans = "fail"
        try:
            est.settimeout(5)
            est.sendall(b"x" * 100)
            got = b""
            while len(got) < 100:
                d = est.recv(100 - len(got))
                if not d:
                    break
                got += d
            if got == b"x" * 100:
                ans = "ok"
        except (OSError, AttributeError):
            pass
    elif cmd[0] == "fill":
        while len(held) < int(cmd[2]):
            s = connect(float(cmd[1]))
            if not s:
                break
            held.append(s)
        ans = str(len(held))
    elif cmd[0] == "try":
        s = connect(float(cmd[1]))
        ans = "ok" if s else "fail"
        if s:
            s.close()
    elif cmd[0] == "burst":
        ans = str(burst(int(cmd[1]), float(cmd[2])))
    elif cmd[0] == "close":
        ans = str(len(held))
        for s in held:
            s.close()
        held = []
    print(ans, flush=True)
EOF

( ip netns exec "$c4" python3 "$TMPD/server.py" >/dev/null 2>&1 & )
busywait 5000 listening "$c4" 7000
coproc CLIENT { ip netns exec "$c6" python3 "$TMPD/client.py" "$C4_ADDR6" 2>&1; }
ask() {	# CMD: the client's answer
	echo "$*" >&"${CLIENT[1]}"
	local a
	read -r -t 120 a <&"${CLIENT[0]}"
	echo "$a"
}

ip netns exec "$rtr" conntrack -F >/dev/null 2>&1
busywait 5000 yields 0 ct_count
drop0=$(ct_stat drop) early0=$(ct_stat early_drop) ifail0=$(ct_stat insert_failed)
est=$(ask est)
held=$(ask fill 2 $((CT_MAX + 16)))
full=$(ct_count)
if [ "$est" = ok ] && [ "$full" = "$CT_MAX" ] && [ "$held" -ge $((CT_MAX * 3 / 4)) ]; then
	pass "conntrack full: $held connections and the established flow fill the $CT_MAX entries"
else
	fail "conntrack full: established flow $est, $held connections held, $full entries (max $CT_MAX)"
fi
new=$(ask try 2)
burst=$(ask burst 16 3)
drops=$(($(ct_stat drop) - drop0))
if [ "$new" = fail ] && [ "$burst" = 0 ] && [ "$drops" -gt 0 ]; then
	pass "conntrack full: new flows refused (17 of 17), counted: drop +$drops, early_drop +$(($(ct_stat early_drop) - early0)), insert_failed +$(($(ct_stat insert_failed) - ifail0))"
else
	fail "conntrack full: new flow $new, burst $burst of 16 connected, drop +$drops"
fi
ping1=$(ask ping)
ping2=$(ask ping)
if [ "$ping1 $ping2" = "ok ok" ]; then
	pass "conntrack full: the established flow keeps working"
else
	fail "conntrack full: established flow round trips: $ping1 $ping2"
fi
echo "INFO: conntrack full: kernel log says table full $(dmesg | tail -n +"$dmesg_start" | grep -c 'table full') times (rate limited)"
closed=$(ask close)
# Expired entries leave the table when something meets them: the gc work
# (every 1 to 60 s, adaptive: up to a minute with long-lived entries
# around), a lookup of the same tuple or a dump.  Wait for the timeouts,
# then dump.
sleep 3
ip netns exec "$rtr" conntrack -L >/dev/null 2>&1
if [ "$(ask try 5)" = ok ] && [ "$(ask burst 16 5)" = 16 ]; then
	pass "conntrack: new flows accepted once the $closed closed connections' entries expired and a dump reaped them ($(ct_count) entries)"
else
	fail "conntrack: new flows still refused after closing $closed connections ($(ct_count) entries)"
fi
held=$(ask fill 2 $((CT_MAX + 16)))
ip netns exec "$rtr" conntrack -F >/dev/null 2>&1
if [ "$(ask try 5)" = ok ] && [ "$(ask ping)" = ok ]; then
	pass "conntrack: full again ($held held), flushed: new flow and the established one work"
else
	fail "conntrack: full again ($held held), flushed: new flows or the established one fail ($(ct_count) entries)"
fi
ask close >/dev/null
# (Only while the client runs: with CLIENT gone this would close stdout.)
[ -n "${CLIENT[1]:-}" ] && eval "exec ${CLIENT[1]}>&-"
wait "$CLIENT_PID" 2>/dev/null
restore_ct_max && ct_max_saved=""
# The closes above still exchange FINs, and a FIN that crosses the flush
# is picked up as a new entry (nf_conntrack_tcp_loose): flush once both
# ends only hold TIME_WAIT sockets, which send nothing.
if ! { busywait 20000 tcp_quiet "$c6" && busywait 20000 tcp_quiet "$c4"; }; then
	echo "INFO: conntrack: port 7000 sockets still closing: $(tcp_closing "$c6" | wc -l) in c6, $(tcp_closing "$c4" | wc -l) in c4"
fi
ip netns exec "$rtr" conntrack -F >/dev/null 2>&1
if busywait 10000 yields 0 ct_count && [ "$(ct_listed)" = 0 ]; then
	pass "conntrack: no entry left after the exhaustion and a flush"
else
	fail "conntrack: $(ct_count) entries, $(ct_listed) listed after the exhaustion and a flush"
fi

# The end: everything gone, the
# module unloads and leaves nothing behind.
cleanup_all_ns
if refcnt_is 0 30000; then
	pass "end: refcnt 0 with all namespaces gone"
else
	fail "end: refcnt $(cat "$REFCNT") with all namespaces gone"
fi
if rmmod nft_xlat 2>"$TMPD/err"; then
	pass "end: nft_xlat unloaded"
	if [ -w "$KMEMLEAK" ]; then
		# A scan reports only objects older than 5 s: scan, wait, scan.
		echo scan >"$KMEMLEAK"
		sleep 6
		echo scan >"$KMEMLEAK"
		new=$(comm -13 <(echo "$kmemleak_before") \
			<(grep -o '^unreferenced object 0x[0-9a-f]*' "$KMEMLEAK" | sort) | wc -l)
		if [ "$new" = 0 ]; then
			pass "end: kmemleak: no new suspect after the unload"
		else
			fail "end: kmemleak: $new new suspects after the unload"
			head -40 "$KMEMLEAK"
		fi
	else
		skip "end: kmemleak: no $KMEMLEAK in this kernel"
	fi
	load_module || fail "end: nft_xlat could not be loaded again"
else
	fail "end: nft_xlat not unloaded: $(cat "$TMPD/err")"
fi
waits=$(dmesg | tail -n +"$dmesg_start" | grep -c 'unregister_netdevice: waiting')
if [ "$waits" = 0 ]; then
	pass "end: no device stuck waiting for references (unregister_netdevice)"
else
	fail "end: unregister_netdevice waited $waits times"
fi
echo "INFO: $CYCLES cycles, $(elapsed) on $(uname -r)"
exit "$ret"
