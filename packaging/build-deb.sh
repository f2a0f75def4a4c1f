#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-deb.sh - make deb: the nft-xlat-dkms and nft-xlat-tools packages,
# built by dpkg-buildpackage from Debian's archive alone, in a throwaway copy
# of the bookworm root (the oldest release the project supports: what it
# builds installs on trixie and sid as well), and checked with lintian.
# The source is this tree's tracked files as they are in the work tree,
# with packaging/debian/ as debian/.  The version is the changelog's, or,
# unless HEAD is tagged with it, VERSION~gitDATE.COMMIT.  The .debs, the
# .changes and lintian's report land in build/deb/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/rig/common.sh
source tests/rig/common.sh
private_mounts "$0" "$@"

root=$(tests/rig/mkroot.sh bookworm)
cache=$(nft_xlat_cache)
out=$top/build/deb
base=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' packaging/debian/changelog)
if [ "$(git describe --exact-match --tags HEAD 2>/dev/null)" = "v$base" ]; then
	version=$base
else
	version=$base~git$(git log -1 --format=%cd --date=format:%Y%m%d).$(git rev-parse --short=7 HEAD)
fi

scratch=$(mktemp -d "$cache/deb-build.XXXXXX")
trap 'overlay_down "$scratch"' EXIT
m=$(overlay_up "$root" "$scratch")
# Downloaded build dependencies are kept for the next build.
mkdir -p "$cache/apt-archives/bookworm"
mount --bind "$cache/apt-archives/bookworm" "$m/var/cache/apt/archives"

src=$m/build/nft-xlat-$version
mkdir -p "$src"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$src"
cp -a packaging/debian "$src/debian"
sed -i "1s/([^)]*)/($version)/" "$src/debian/changelog"

echo "# deb: building nft-xlat $version in a copy of the bookworm root" >&2
# shellcheck disable=SC2016 # expanded in the root
if ! machine_run "$m" '
	set -e
	cd /build
	{ apt-get update &&
	  apt-get install -y --no-install-recommends build-essential debhelper dh-dkms \
		libmnl-dev pkg-config lintian; } >apt.log 2>&1 ||
		{ tail -n 20 apt.log; exit 1; }
	cd "nft-xlat-$1"
	dpkg-buildpackage -us -uc -b >../build.log 2>&1 ||
		{ tail -n 40 ../build.log; exit 1; }
	cd ..
	lintian --info --display-info --pedantic "nft-xlat_$1_amd64.changes" \
		>lintian.txt 2>&1 || true
' "$version"; then
	echo "deb: the build failed" >&2
	exit 1
fi

rm -rf "$out"
mkdir -p "$out"
cp "$m"/build/*.deb "$m"/build/*.changes "$m"/build/*.buildinfo \
	"$m/build/build.log" "$m/build/lintian.txt" "$out/"
ls "$out"/*.deb
# Lintian's verdict: every tag it still gives is explained in an override
# (packaging/debian/*.lintian-overrides) or the build fails.
if grep -E '^[EWIP]: ' "$out/lintian.txt"; then
	echo "deb: lintian tags above (full report: build/deb/lintian.txt)" >&2
	exit 1
fi
echo "# deb: lintian --pedantic has nothing to say" >&2
