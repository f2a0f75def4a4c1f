#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# static-checks.sh - the kernel-style gates that need no VM: checkpatch
# --strict on the kernel sources, no LINUX_VERSION_CODE in the code, shell
# scripts parse and are shellcheck-clean.  (The W=1 builds are checked by check.sh as it builds.)
# Each gate prints PASS:/FAIL:; the last line is "N passed, N failed, N
# skipped".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/rig/common.sh
source tests/rig/common.sh

host_setup perl shellcheck || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

passed=0 failed=0 skipped=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }

# checkpatch.pl comes from Debian's linux-source package; only the script
# and its two data files are kept, in the cache.
checkpatch_dir() {
	local dir deb tmp
	dir=$(nft_xlat_cache)/checkpatch
	if [ ! -f "$dir/checkpatch.pl" ]; then
		tmp=$(mktemp -d)
		root=$(tests/rig/mkroot.sh sid) || return 1
		chroot "$root" sh -c "cd /tmp && apt-get download -qq linux-source-7.2" \
			>/dev/null 2>&1 || { rm -rf "$tmp"; return 1; }
		deb=$(ls "$root"/tmp/linux-source-7.2_*.deb | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			tar -xJ -C "$tmp" --wildcards --strip-components=1 \
				'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
				'*/scripts/const_structs.checkpatch'
		rm -f "$deb"
		mkdir -p "$dir"
		cp "$tmp"/scripts/* "$dir/"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

mapfile -t ksrc < <(git ls-files 'net/*.[ch]' 'include/*.h' 'compat/*.[ch]' 2>/dev/null)
if [ ${#ksrc[@]} -eq 0 ]; then
	mapfile -t ksrc < <(find net include compat -name '*.[ch]' 2>/dev/null)
fi

# The uapi header keeps nf_tables.h's layout ("};" directly followed by
# the _MAX define), which the libnftnl and nftables series copy byte for
# byte; checkpatch's LINE_SPACING check is waived for it alone.
checkpatch() {	# extra-args files...
	local extra=$1
	shift
	# shellcheck disable=SC2086
	perl "$cp/checkpatch.pl" --no-tree --strict --max-line-length=80 \
		--ignore FILE_PATH_CHANGES $extra -q -f "$@" 2>&1
}
if cp=$(checkpatch_dir); then
	mapfile -t uapi < <(printf '%s\n' "${ksrc[@]}" | grep '^include/uapi/')
	mapfile -t rest < <(printf '%s\n' "${ksrc[@]}" | grep -v '^include/uapi/')
	out=
	[ ${#rest[@]} -eq 0 ] || out+=$(checkpatch "" "${rest[@]}")
	[ ${#uapi[@]} -eq 0 ] || out+=$(checkpatch "--ignore LINE_SPACING" "${uapi[@]}")
	if [ -z "$out" ]; then
		pass "checkpatch --strict clean on ${#ksrc[@]} files"
	else
		fail "checkpatch --strict:"
		echo "$out"
	fi
else
	skip "checkpatch: could not fetch linux-source-7.2"
fi

if grep -n 'LINUX_VERSION_CODE\|KERNEL_VERSION(' "${ksrc[@]}" Kbuild 2>/dev/null; then
	fail "version checks in the code (use feature probes)"
else
	pass "no version-number checks in the code"
fi

mapfile -t shs < <(git ls-files '*.sh' .ci/run 2>/dev/null)
bad=0
for f in "${shs[@]}"; do
	bash -n "$f" || { fail "$f does not parse"; bad=1; }
done
[ "$bad" = 0 ] && pass "${#shs[@]} shell scripts parse"

# What bash -n cannot see, shellcheck finds (unassigned variables, word
# splitting, a "done" taken for a keyword).  -P SCRIPTDIR: the selftests
# source lib.sh beside them.
if out=$(shellcheck -x -P SCRIPTDIR -S warning -f gcc "${shs[@]}" 2>&1); then
	pass "shellcheck -S warning clean on ${#shs[@]} scripts"
else
	fail "shellcheck -S warning:"
	echo "$out"
fi

echo "$passed passed, $failed failed, $skipped skipped"
