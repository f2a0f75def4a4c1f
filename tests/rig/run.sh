#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [TEST...] - run the selftests (paths or names) inside the lab VM (tests/rig/vm.sh
# starts it there) and summarise.  Each PASS:/FAIL:/SKIP: line a test prints
# counts once; a test that exits non-zero without printing a FAIL: line, or
# that runs out of time, counts as one failure.  Ends with the line
# "N passed, N failed, N skipped".
cd "$(dirname "$0")/../.." || exit 1

tests=("$@")
[ ${#tests[@]} -gt 0 ] || mapfile -t tests < <(ls tests/selftests/nft_xlat_*.sh)
per_test_limit=${NFT_XLAT_TEST_TIMEOUT:-1500}

passed=0 failed=0 skipped=0
skips=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	# A bare name stands for tests/selftests/NAME.sh.
	[ -e "$t" ] || t=tests/selftests/$name.sh
	echo "# ---- $name ($(uname -r))"
	out=$(mktemp)
	timeout -k 5 "$per_test_limit" bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	s=$(grep -c '^SKIP: ' "$out")
	while IFS= read -r line; do
		skips+=("$name: ${line#SKIP: }")
	done < <(grep '^SKIP: ' "$out")
	if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
		echo "FAIL: $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "# $name: $p passed, $f failed, $s skipped (exit $rc)"
	rm -f "$out"
done

for s in "${skips[@]}"; do
	echo "# skipped: $s"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
