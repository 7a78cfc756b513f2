# SPDX-License-Identifier: GPL-2.0-only
# scripts/emu-lib.sh - helpers shared by the emulated-host scripts (issue 3):
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

# Guest kernel ABI: linux-image-$KVER in the images, linux-headers-$KVER
# (installed by `make deps`) for guest modules.  Pinned in
# scripts/deps.d/emu.txt; OOH_GUEST_KVER overrides.
emu_kver() {
	if [ -n "${OOH_GUEST_KVER:-}" ]; then
		printf '%s\n' "$OOH_GUEST_KVER"
		return
	fi
	sed -n 's/^linux-headers-\(6\.1\.0-[0-9]*-amd64\).*/\1/p' \
		"$OOH_TOP/scripts/deps.d/emu.txt" | head -n 1
}

# emu_series_files DIR: the patches DIR/series lists, in order, one path per
# line ('#' comments and blank lines ignored).
emu_series_files() {
	local dir=$1
	[ -f "$dir/series" ] || return 0
	sed 's/#.*//; s/[[:space:]]*$//' "$dir/series" | { grep -v '^$' || true; } |
		while read -r p; do
			[ -f "$dir/$p" ] || ooh_die "$dir/series lists missing patch $p"
			printf '%s\n' "$dir/$p"
		done
}

# emu_key DIR EXTRA...: short hash over DIR/series, each listed patch and
# the EXTRA strings/files (build flags, scripts).
emu_key() {
	local dir=$1; shift
	{
		[ -f "$dir/series" ] && cat "$dir/series"
		emu_series_files "$dir" | while read -r p; do
			printf '%s\n' "${p##*/}"; cat "$p"
		done
		for x in "$@"; do
			if [ -f "$x" ]; then cat "$x"; else printf '%s\n' "$x"; fi
		done
	} | sha256sum | cut -c1-16
}

# emu_apply_series DIR SRCDIR: apply DIR/series to SRCDIR with patch -p1.
emu_apply_series() {
	local dir=$1 src=$2 p
	emu_series_files "$dir" > "$src/.ooh-series"
	while read -r p; do
		ooh_log "applying ${p##*/}"
		patch -d "$src" -p1 -s --no-backup-if-mismatch < "$p" ||
			ooh_die "patch ${p##*/} does not apply"
	done < "$src/.ooh-series"
}

# emu_elapsed START: seconds since START (date +%s.%N), one decimal.
emu_elapsed() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
