# SPDX-License-Identifier: GPL-2.0
#
# nft_xlat: everything runs in Debian roots and QEMU guests (tests/rig/), never
# in the kernel of the machine that runs make.
#
#   make [KERNEL=7.2|6.12|6.1|debug]   build nft_xlat.ko and nft-xlat-rule
#   make check                   the whole test suite on all three kernels
#   make check-debug             the selftests on the debug kernel (KASAN,
#                                kmemleak, lockdep, panic_on_warn)
#   make lab [KERNEL=...]        the demonstration: IPv6-only client, IPv4
#                                server, the translator between them
#   make shell [KERNEL=...]      a root shell in the lab VM, module loaded
#   make vm-run KERNEL=... CMD='...'   run one command in the VM
#   make deb                     nft-xlat-dkms and nft-xlat-tools in build/deb/
#   make check-packages [KERNELS=...]  install them in a copy of each root,
#                                boot it with systemd, translate, purge
#   make clean

KERNEL ?= 7.2
release = $(shell bash -c '. tests/rig/common.sh && release_of $(KERNEL)')

all: module

module:
	tests/rig/kbuild.sh $(release)

check:
	tests/rig/check.sh

check-debug:
	KERNELS=debug tests/rig/check.sh

lab: module
	tests/rig/vm.sh -k $(release) -t 900 -- tests/lab/lab.sh

shell: module
	tests/rig/vm.sh -k $(release) -s

vm-run: module
	tests/rig/vm.sh -k $(release) -- bash -c '$(CMD)'

bench:
	BENCH_COMMAND='make bench' tests/rig/bench.sh

deb:
	packaging/build-deb.sh

check-packages: deb
	tests/rig/package-check.sh $(or $(KERNELS),sid trixie bookworm)

clean:
	rm -rf build

.PHONY: all module check check-debug lab shell vm-run bench deb check-packages clean
