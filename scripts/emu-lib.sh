# SPDX-License-Identifier: GPL-2.0-only
# scripts/emu-lib.sh - helpers shared by the emulated-host scripts:
# build-bochs, build-xen, build-images, emu-host.  Source it after lib.sh.
#
# Cache layout under $OOH_CACHE (all of it can be deleted for a cold run):
#   dl/                    checksum-verified downloads (Bochs orig tarball)
#   src/xen/               pristine `apt-get source xen` tree
#   debs/<pkg>_<ver>.deb   `apt-get download` results for the images
#   bochs/<key>/           Bochs build for one patch series (bin/bochs, bios)
#   xen/<key>/xen.gz       Xen hypervisor for one xen-patches series
#   img/<key>/             dom0/domU initramfs, dom0 kernel, ooh.iso
# <key> is a hash of everything that determines the output (series file,
# every listed patch, build flags, the build script itself), so changing a
# patch rebuilds and switching back reuses the old build.

# The top Makefile exports CC and CFLAGS (-Wextra, -I include/...) for the
# project's own C.  Xen's, Bochs's and Kbuild's builds take CFLAGS from the
# environment too (Xen's -Werror then fails on -Wsign-compare in its own
# headers), so the foreign builds must not see ours.
unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS

EMU_BOCHS_VERSION=3.0
EMU_BOCHS_TARBALL=bochs_3.0+dfsg.orig.tar.xz
EMU_BOCHS_POOL=pool/main/b/bochs/$EMU_BOCHS_TARBALL
EMU_BOCHS_SHA256=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b

# Guest kernel ABI (e.g. 6.12.95+deb12-amd64): resolved, never pinned, from
# what apt serves now in $EMU_KERNEL_SUITE.  The candidates there of the
# linux-image-amd64 and linux-headers-amd64 metapackages each depend on
# exactly one linux-image-$KVER / linux-headers-$KVER; both must name the
# same $KVER.  The images (scripts/fetch-debs), the headers and kbuild for
# guest modules (scripts/guest-kdir) and the modules in the images all come
# from that one version, and every cache holding them is keyed by it.  The
# result is exported in OOH_GUEST_KVER, so child scripts (and the top
# Makefile's children) reuse it; setting OOH_GUEST_KVER yourself selects
# another ABI that apt still serves.  Prints nothing if apt knows no
# metapackage there (apt-get update, or `make deps`, fixes that).
#
# The suite: bookworm-backports (Debian's 6.12 built for Debian 12, so its
# kbuild programs run on this machine's libc).  dom0 and domU boot the same
# kernel: PAGEMAP_SCAN (6.7) for the guest comparison, and one headers tree,
# one module build and one image kernel.  OOH_KERNEL_SUITE=bookworm selects
# Debian 12's own 6.1 (guest-uio still builds there).
EMU_KERNEL_SUITE=${OOH_KERNEL_SUITE:-bookworm-backports}
emu_kver() {
	if [ -z "${OOH_GUEST_KVER:-}" ]; then
		local img hdr
		img=$(emu_meta_dep linux-image-amd64 linux-image)
		hdr=$(emu_meta_dep linux-headers-amd64 linux-headers)
		[ -n "$img" ] && [ "$img" = "$hdr" ] || return 0
		export OOH_GUEST_KVER=$img
	fi
	printf '%s\n' "$OOH_GUEST_KVER"
}

# emu_meta_dep META PREFIX: the KVER of the PREFIX-KVER package that the
# candidate of metapackage META in $EMU_KERNEL_SUITE depends on.
emu_meta_dep() {
	apt-cache show --no-all-versions -o APT::Default-Release="$EMU_KERNEL_SUITE" \
		"$1" 2>/dev/null |
		sed -n "s/^Depends:.*\<$2-\([0-9][^ ,]*-amd64\)\>.*/\1/p" | head -n 1
}

# emu_pkg_version PKG: the version apt would download for PKG (candidate).
emu_pkg_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1
}

# emu_key DIR EXTRA...: short hash over DIR/series, each listed patch and
# the EXTRA strings/files (build flags, scripts).
emu_key() {
	local dir=$1; shift
	{
		[ -f "$dir/series" ] && cat "$dir/series"
		ooh_series_files "$dir" | while read -r p; do
			printf '%s\n' "${p##*/}"; cat "$p"
		done
		for x in "$@"; do
			if [ -f "$x" ]; then cat "$x"; else printf '%s\n' "$x"; fi
		done
	} | sha256sum | cut -c1-16
}

# emu_elapsed START [DIGITS [END]]: seconds from START to END (default
# now), both `date +%s.%N`, with DIGITS decimals (default 1).
emu_elapsed() {
	awk -v a="$1" -v b="${3:-$(date +%s.%N)}" -v d="${2:-1}" \
		'BEGIN { printf "%." d "f", b - a }'
}
