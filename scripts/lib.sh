# SPDX-License-Identifier: GPL-2.0-only
# scripts/lib.sh - shared helpers for the fetch/build scripts (source it).
#
# OOH_CACHE   cache for downloaded sources and heavy build outputs, outside
#             the tree (default ~/.cache/ooh).  Deleting it forces a cold run.
# Mirrors are never written into the tree: they are read from this machine's
# apt configuration (deb822 .sources files or the classic sources.list).
# Sourcing it sets no shell option: each script sets its own (the build
# scripts `set -euo pipefail` before sourcing, the tests do not).


OOH_TOP=${OOH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OOH_CACHE=${OOH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ooh}
mkdir -p "$OOH_CACHE"

ooh_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
ooh_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# ooh_mirror: base URI of the configured Debian archive (the one serving
# "main" for the bookworm suite), e.g. http://host/debian
ooh_mirror() {
	local uri
	uri=$(awk '
		/^URIs:/ { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
		/^$/ { if (s && u != "" && !found) { print u; found = 1 } u = ""; s = 0 }
		END { if (s && u != "" && !found) print u }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || ooh_die "no Debian bookworm archive in the apt configuration"
	printf '%s\n' "${uri%/}"
}

# ooh_fetch_verified URL-PATH SHA256 DEST: download $(ooh_mirror)/URL-PATH
# into DEST (in the cache) unless DEST already has the right checksum.
ooh_fetch_verified() {
	local path=$1 sum=$2 dest=$3
	if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then
		return 0
	fi
	local url
	url="$(ooh_mirror)/$path"
	ooh_log "fetching ${path##*/}"
	curl -fsSL --retry 3 -o "$dest.part" "$url" ||
		ooh_die "download of ${path##*/} failed"
	echo "$sum  $dest.part" | sha256sum -c --status ||
		ooh_die "checksum mismatch for ${path##*/} (expected $sum)"
	mv "$dest.part" "$dest"
}

# ooh_add_sources NAME TYPES SUITES: write
# /etc/apt/sources.list.d/ooh-NAME.sources for the configured mirror (same
# URI, main, Debian's keyring).  Returns 1 (nothing written) if it exists.
ooh_add_sources() {
	local f=/etc/apt/sources.list.d/ooh-$1.sources m
	[ -f "$f" ] && return 1
	m=$(ooh_mirror)
	cat > "$f" <<SRC
Types: $2
URIs: $m
Suites: $3
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	return 0
}

# ooh_enable_deb_src: add deb-src entries mirroring the configured deb
# entries (same URIs and suites) so that `apt-get source` works.
ooh_enable_deb_src() {
	ooh_add_sources deb-src deb-src "bookworm bookworm-updates"
}

# ooh_enable_backports: add bookworm-backports (deb) from the configured
# mirror: the guest kernel comes from there (scripts/emu-lib.sh,
# EMU_KERNEL_SUITE).  The suite is NotAutomatic, so nothing installed on
# this machine changes: only an explicit -t/Default-Release selects it.
ooh_enable_backports() {
	ooh_add_sources backports deb bookworm-backports
}

# ooh_src_version PKG: the version of source package PKG that `apt-get
# source PKG` fetches now (from the .dsc it would download).
ooh_src_version() {
	apt-get source --print-uris "$1" 2>/dev/null |
		sed -n "s/^'[^']*' $1_\(.*\)\.dsc .*/\1/p" | head -n 1
}

# ooh_apt_source PKG DESTDIR: unpack Debian's source package PKG into
# DESTDIR (cached; .dsc signatures and checksums verified by dpkg-source);
# DESTDIR/.ooh-unpacked holds the unpacked version.
ooh_apt_source() {
	local pkg=$1 dest=$2
	[ -d "$dest" ] && [ -f "$dest/.ooh-unpacked" ] && return 0
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	(cd "$dest.tmp" && apt-get source -qq -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
		ooh_die "apt-get source $pkg failed (run 'make deps' first)"
	local d
	d=$(find "$dest.tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	rm -rf "$dest" && mv "$d" "$dest" && rm -rf "$dest.tmp"
	(cd "$dest" && dpkg-parsechangelog -S Version) > "$dest/.ooh-unpacked"
}

# ooh_key_lock PATH: hold an exclusive lock on PATH.lock until the calling
# script exits, so two builds of the same cache key never share a work
# directory (take it before the heavy lock; re-check the cache after it).
ooh_key_lock() {
	mkdir -p "$(dirname "$1")"
	exec 9>"$1.lock"
	flock 9
}

# The build scripts' cache protocol, for an entry OUT of $OOH_CACHE whose
# name hashes everything that determines it:
#   ooh_cached OUT MARK || { build into "$(ooh_cache_work OUT)/out"; ooh_cache_commit OUT; }
# ooh_cached OUT MARK: 0, OUT printed, if OUT/MARK exists (a finished
# entry: OUT appears whole, by one rename); else takes OUT's lock
# (ooh_key_lock), checks again (another run may have built it while we
# waited) and returns 1 with the lock held.
ooh_cached() {
	local try
	for try in 1 2; do
		if [ -e "$1/$2" ]; then
			touch "$1"	# recently used (build-images prunes by age)
			printf '%s\n' "$1"
			return 0
		fi
		[ $try -eq 2 ] || ooh_key_lock "$1"
	done
	return 1
}
# ooh_cache_work OUT: an empty work directory OUT.build (printed), next to
# OUT so that the commit is a rename within one file system
ooh_cache_work() {
	rm -rf "$1.build" && mkdir -p "$1.build" && printf '%s\n' "$1.build"
}
# ooh_cache_commit OUT: OUT.build/out becomes OUT; the work directory goes
ooh_cache_commit() {
	rm -rf "$1" && mv "$1.build/out" "$1" && rm -rf "$1.build"
}

# ooh_heavy CMD...: run a heavy build holding the machine-wide lock, so
# that two never run at once on this 2-core machine.
ooh_heavy() {
	flock "${OOH_HEAVY_LOCK:-/tmp/ooh-heavy.lock}" "$@"
}

# ooh_emu_slot CMD...: run an emulator (Bochs: one thread) holding one of
# $OOH_EMU_SLOTS (default: the number of CPUs) slots, so that independent
# boots run side by side, one per core, and never more.  Guest-time
# numbers do not depend on the host's load (Bochs clock: sync=none).
ooh_emu_slot() {
	local n=${OOH_EMU_SLOTS:-$(nproc)} i fd rc
	while :; do
		for ((i = 0; i < n; i++)); do
			exec {fd}>"${OOH_EMU_LOCK:-/tmp/ooh-emu}.$i.lock"
			if flock -n "$fd"; then
				"$@"
				rc=$?
				exec {fd}>&-
				return $rc
			fi
			exec {fd}>&-
		done
		sleep 1
	done
}

# ooh_logged LOG WHAT CMD...: run CMD with its output appended to LOG.
# Names LOG first, then every $OOH_PROGRESS_SECS seconds (default 30)
# prints how long WHAT has run and LOG's last line, so that no long build
# step is silent.  On failure: LOG's last 40 lines and one line naming
# WHAT and LOG on stderr, exit 1.
ooh_logged() {
	local log=$1 what=$2 every=${OOH_PROGRESS_SECS:-30} t=0 pid rc=0
	shift 2
	ooh_log "$what, log: $log"
	"$@" >> "$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2> /dev/null; do
		sleep 1
		t=$((t + 1))
		[ $((t % every)) -eq 0 ] &&
			ooh_log "  $what: ${t}s$(tail -n 1 "$log" 2> /dev/null | cut -c1-100 | sed 's/^./: &/')"
	done
	wait "$pid" || rc=$?
	[ $rc -eq 0 ] && return 0
	tail -n 40 "$log" >&2
	ooh_die "$what failed (exit $rc), log: $log"
}

# ooh_libooh_libs: the link flags for the build tree's static libooh
# (build/lib/libooh.a and its private libraries), from the
# build/lib/pkgconfig/ooh-uninstalled.pc that `make` writes.
ooh_libooh_libs() {
	[ -f "$OOH_TOP/build/lib/pkgconfig/ooh-uninstalled.pc" ] ||
		ooh_die "build/lib/pkgconfig/ooh-uninstalled.pc missing: run make first"
	PKG_CONFIG_PATH=$OOH_TOP/build/lib/pkgconfig pkg-config --static --libs ooh
}

# ooh_xen_configure SRCDIR LOG: configure the hypervisor of a Xen source
# tree, make's output into LOG; stops with one line naming LOG on failure.
# defconfig: Intel VMX with EPT and PML is always built in on x86_64.  Plus
# XSM with FLASK and its built-in policy (tools/flask/policy, compiled by
# checkpolicy), the dummy module staying the default: a boot without
# "xsm=flask" behaves as before; spml.test boots with xsm=flask
# flask=enforcing.  Used by scripts/build-xen and scripts/check-xen-series.
ooh_xen_configure() {
	local src=$1 log=$2 cfg=$1/xen/.config
	command -v checkpolicy > /dev/null ||
		ooh_die "checkpolicy missing (run 'make deps'): Xen's FLASK policy needs it"
	{
		make -C "$src/xen" XEN_TARGET_ARCH=x86_64 defconfig &&
		printf '%s\n' CONFIG_XSM=y CONFIG_XSM_FLASK=y CONFIG_XSM_FLASK_POLICY=y \
			CONFIG_XSM_DUMMY_DEFAULT=y >> "$cfg" &&
		make -C "$src/xen" XEN_TARGET_ARCH=x86_64 olddefconfig &&
		grep -q '^CONFIG_XSM_FLASK_POLICY=y' "$cfg" &&
		grep -q '^CONFIG_XSM_DUMMY_DEFAULT=y' "$cfg"
	} > "$log" 2>&1 || { tail -n 20 "$log" >&2; ooh_die "Xen configuration failed (log: $log)"; }
}

# ooh_gc_workloads: the GC workloads of gc/workloads/list, one per line,
# in table order.  ooh_gc_input NAME: the input file gc-gen-inputs writes
# for workload NAME, nothing if it takes none.
ooh_gc_workloads() {
	awk '!/^#/ && NF { print $1 }' "$OOH_TOP/gc/workloads/list"
}
ooh_gc_input() {
	awk -v w="$1" '!/^#/ && $1 == w && $2 != "-" { print $2 }' "$OOH_TOP/gc/workloads/list"
}

# ooh_series_files DIR: the patches DIR/series lists, in order, one path per
# line ('#' comments and blank lines ignored).
ooh_series_files() {
	local dir=$1
	[ -f "$dir/series" ] || return 0
	sed 's/#.*//; s/[[:space:]]*$//' "$dir/series" | { grep -v '^$' || true; } |
		while read -r p; do
			[ -f "$dir/$p" ] || ooh_die "$dir/series lists missing patch $p"
			printf '%s\n' "$dir/$p"
		done
}

# ooh_quilt SRCDIR DIR ARGS...: quilt ARGS in SRCDIR on the series of DIR
# (state in SRCDIR/.pc-ooh, no ~/.quiltrc).
ooh_quilt() {
	local src=$1 dir=$2
	shift 2
	(cd "$src" && QUILT_PATCHES=$dir QUILT_PC=.pc-ooh QUILTRC=/dev/null quilt "$@")
}

# ooh_apply_series DIR SRCDIR WHAT: the one series applier (Xen, Bochs,
# libgc and CRIU builds): `quilt push -a` of the quilt series DIR/series
# (patches in DIR, '#' comments allowed) onto SRCDIR, quilt's state in
# SRCDIR/.pc-ooh (Debian's unpacked sources keep their own quilt state in
# .pc).  WHAT names the source and its version for the error line, e.g.
# "xen 4.17.5+72-g01140da4e8-1".  A patch that does not apply stops the
# build with one line naming the patch and that version.  To refresh a
# patch after editing: cd SRCDIR; export QUILT_PATCHES=DIR QUILT_PC=.pc-ooh;
# quilt pop NAME (or push to it), edit, quilt refresh.
ooh_apply_series() {
	local dir=$1 src=$2 what=$3 p rel=${1#"$OOH_TOP"/}
	ooh_series_files "$dir" > "$src/.ooh-series"
	[ -s "$src/.ooh-series" ] || return 0
	ooh_log "applying $rel/series ($(wc -l < "$src/.ooh-series") patches) with quilt"
	if ! ooh_quilt "$src" "$dir" push -a -q > "$src/.ooh-patch.log" 2>&1; then
		p=$(sed -n 's/^Applying patch //p' "$src/.ooh-patch.log" | tail -n 1)
		ooh_die "$rel/${p##*/} does not apply to $what (the archive's version; details: $src/.ooh-patch.log)"
	fi
}
