#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "nft-xlat-rule save" and "restore": how xlat rules survive a reboot beside
# a stock nft, whose "list ruleset" drops them (nft-xlat.service runs the
# restore after nftables.service).  save writes every xlat rule as the line
# that adds it, in chain order; restore adds a file's lines in one
# transaction, all or none, and names the line that failed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

setup_ns ns
tool() { ip netns exec "$ns" "$XLAT_RULE_TOOL" "$@"; }

ip netns exec "$ns" nft -f - <<EOF || { fail "base ruleset"; exit "$ret"; }
table inet siit {
	chain from6 { type filter hook prerouting priority -300; }
	chain x6 { }
	chain x4 { counter; }
}
table ip t4 {
	chain post { type filter hook postrouting priority 100; }
}
EOF

tool add inet siit x6 counter xlat from 64:ff9b::/96 &&
tool add inet siit x6 xlat from 2001:db8:64::/64 tclass zero mtu6 1400 &&
tool add inet siit x4 counter xlat to saddr 2001:db8:c1a7::/96 daddr 64:ff9b::/96 \
	udp-zero-checksum drop icmp-source 192.0.2.254 &&
tool add ip t4 post xlat to 64:ff9b::/96 offload ||
	{ fail "adding the xlat rules"; exit "$ret"; }

# What save must write: the rules in chain order, counters without values,
# the rule holding only "counter" (x4's first) left out.
cat >"$TMPD/want" <<'EOF'
add inet siit x6 counter xlat from 64:ff9b::/96
add inet siit x6 xlat from 2001:db8:64::/64 tclass zero mtu6 1400
add inet siit x4 counter xlat to saddr 2001:db8:c1a7::/96 daddr 64:ff9b::/96 udp-zero-checksum drop icmp-source 192.0.2.254
add ip t4 post xlat to 64:ff9b::/96 offload
EOF
if tool save >"$TMPD/saved" 2>"$TMPD/err" &&
   diff -u "$TMPD/want" <(grep -v '^#' "$TMPD/saved") >"$TMPD/diff" &&
   [ ! -s "$TMPD/err" ]; then
	pass "save writes the four xlat rules as add lines, in order"
else
	fail "save:"
	cat "$TMPD/diff" "$TMPD/err"
fi

# The round trip: flush the chains (as a reboot would leave them, created
# by nft -f but without the xlat rules) and restore.
flush_xlat() {
	ip netns exec "$ns" nft flush chain inet siit x6 &&
	ip netns exec "$ns" nft flush chain inet siit x4 &&
	ip netns exec "$ns" nft add rule inet siit x4 counter &&
	ip netns exec "$ns" nft flush chain ip t4 post
}
nrules() { tool save 2>/dev/null | grep -c '^add '; }
flush_xlat
if [ "$(nrules)" = 0 ] && tool restore "$TMPD/saved" &&
   tool save >"$TMPD/again" && cmp -s "$TMPD/saved" "$TMPD/again"; then
	pass "restore of save's output gives the same rules back"
else
	fail "restore of save's output:"
	diff -u "$TMPD/saved" "$TMPD/again"
fi
if tool list inet siit x4 | grep -q 'counter packets 0 bytes 0 xlat to saddr'; then
	pass "restored rules list as before (nft-xlat-rule list)"
else
	fail "restored x4: $(tool list inet siit x4)"
fi

# restore replaces the xlat rules of the chains its file names: a second
# restore (nftables.service reloaded without a flush) leaves them once, a
# file with other rules for x6 replaces x6's and leaves the other chains'
# and x4's plain counter rule alone.
if tool restore "$TMPD/saved" && tool save >"$TMPD/twice" &&
   cmp -s "$TMPD/saved" "$TMPD/twice"; then
	pass "restoring twice leaves each rule once"
else
	fail "restoring twice:"
	diff -u "$TMPD/saved" "$TMPD/twice"
fi
echo "add inet siit x6 xlat from 2001:db8:46::/96" >"$TMPD/x6"
if tool restore "$TMPD/x6" &&
   [ "$(tool save | grep -c '^add inet siit x6 ')" = 1 ] &&
   tool save | grep -q '^add inet siit x6 xlat from 2001:db8:46::/96$' &&
   [ "$(nrules)" = 3 ] &&
   [ "$(ip netns exec "$ns" nft list chain inet siit x4 | grep -c 'counter packets')" = 1 ]; then
	pass "restore replaces the xlat rules of the chains it names, no others"
else
	fail "restore over other rules: $(tool save)"
fi

flush_xlat
if tool restore - <"$TMPD/saved" && [ "$(nrules)" = 4 ]; then
	pass "restore reads standard input"
else
	fail "restore from standard input: $(nrules) rules"
fi

# All or none: a rule the kernel refuses (a /60 prefix, ERANGE) on line 3
# leaves no rule of the file behind, and the message names that line.
flush_xlat
cat >"$TMPD/bad" <<'EOF'
# two good rules, then one the kernel refuses
add inet siit x6 counter xlat from 64:ff9b::/96
add inet siit x6 xlat from 2001:db8::/60
add ip t4 post xlat to 64:ff9b::/96
EOF
out=$(tool restore "$TMPD/bad" 2>&1)
rc=$?
if [ "$rc" = 1 ] && [ "$(nrules)" = 0 ] &&
   grep -q "bad:3: Error: Could not process rule: Numerical result out of range" <<<"$out" &&
   grep -q "nothing restored" <<<"$out"; then
	pass "a refused rule on line 3: nothing restored, line 3 named"
else
	fail "restore of a file with a refused rule (exit $rc, $(nrules) rules): $out"
fi

# A chain that does not exist (nftables.service did not run): ENOENT.
printf 'add inet siit x6 xlat from 64:ff9b::/96\nadd inet siit nochain xlat to 64:ff9b::/96\n' >"$TMPD/nochain"
out=$(tool restore "$TMPD/nochain" 2>&1)
rc=$?
if [ "$rc" = 1 ] && [ "$(nrules)" = 0 ] &&
   grep -q "nochain:2: Error: Could not process rule: No such file or directory" <<<"$out"; then
	pass "a missing chain on line 2: nothing restored, line 2 named"
else
	fail "restore into a missing chain (exit $rc, $(nrules) rules): $out"
fi

# A line that is not a rule: refused before anything is sent.
printf 'add inet siit x6 xlat from 64:ff9b::/96\nadd inet siit x6 xlat sideways 64:ff9b::/96\n' >"$TMPD/syntax"
out=$(tool restore "$TMPD/syntax" 2>&1)
rc=$?
if [ "$rc" = 2 ] && [ "$(nrules)" = 0 ] && grep -q "syntax:2: not a rule" <<<"$out"; then
	pass "a syntax error on line 2: nothing restored, line 2 named"
else
	fail "restore of a line that is not a rule (exit $rc, $(nrules) rules): $out"
fi
printf 'add inet siit x6 xlat from 64:ff9b::1.2.3.4.5/96\n' >"$TMPD/addr"
out=$(tool restore "$TMPD/addr" 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q "addr:1: nft-xlat-rule: bad IPv6 prefix" <<<"$out"; then
	pass "a bad prefix on line 1 is named"
else
	fail "restore of a bad prefix (exit $rc): $out"
fi

printf '# nothing but comments\n\n   \n' >"$TMPD/empty"
if tool restore "$TMPD/empty" && [ "$(nrules)" = 0 ]; then
	pass "a file of comments restores nothing and succeeds"
else
	fail "restore of a file of comments"
fi

# save never loses a rule silently: one holding more than "counter xlat"
# (only a patched nft can write it) makes save fail and say which.
if [ "$(xlat_nft_probe)" = nft ]; then
	ip netns exec "$ns" nft add rule inet siit x6 ip6 daddr 64:ff9b::/96 xlat from 64:ff9b::/96
	out=$(tool save 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 1 ] && grep -q "cannot save the rule with handle [0-9]* in inet siit x6" <<<"$out"; then
		pass "save fails on a rule it cannot write, and names it"
	else
		fail "save of a rule with a match (exit $rc): $out"
	fi
else
	skip "save of a rule with a match: this nft cannot write one"
fi

exit "$ret"
