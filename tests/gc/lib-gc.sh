# SPDX-License-Identifier: GPL-2.0-only
# tests/gc/lib-gc.sh - helpers for the Boehm GC tests (sourced).
#
# gc_check VARIANT BACKEND: run Boehm's own `make check` of libgc VARIANT
# (gc/build-libgc) with every test program relinked against libooh, with
# GC_ENABLE_INCREMENTAL=1 (every test collects incrementally, not only
# gctest) and GC_OOH_BACKEND=BACKEND.  Fails if make check fails, if any
# test fell back to the mprotect VDB, or if gctest did not report using
# BACKEND.  Logs stay in the build dir (tests/*.log), the summary is printed.
. "$(dirname "$0")/../../scripts/lib.sh"
# no -e, no pipefail: the tests check every status themselves (and stop
# gctest early through a pipe, which is not an error)

top=$OOH_TOP
libooh=$top/build/lib/libooh.a
probe=$top/build/bin/ooh-track	# --list-backends: which backends work here

gc_skip() { echo "SKIP: $*"; exit 77; }

# gc_backend_ok NAME: 0 if libooh says NAME works here
gc_backend_ok() {
	"$probe" --list-backends | grep -q "^$1 ok "
}

gc_check() {
	local variant=$1 backend=$2 dir libs
	libs=$(ooh_libooh_libs) || return 1
	dir=$("$top/gc/build-libgc" "$variant" "$top/build/gc/$variant") || return 1
	(
		# one make check per build dir at a time (logs are shared)
		exec 8>"$dir/../check.lock"
		flock 8
		cd "$dir" || exit 1
		# relink the test programs against the current libooh once per
		# test script (the programs do not depend on libooh.a in make)
		if [ "${GC_RELINKED:-}" != "$dir" ]; then
			make -s clean-checkPROGRAMS >/dev/null 2>&1
		fi
		rm -f tests/*.log tests/*.trs ./*.log ./*.trs
		GC_ENABLE_INCREMENTAL=1 GC_OOH_BACKEND=$backend GC_OOH_VERBOSE=1 \
			ooh_heavy nice make -j2 check LIBS="$libs" \
			>"$dir/check-$backend.log" 2>&1
	)
	local rc=$?
	grep -E '^(# |PASS|FAIL|ERROR|XFAIL|SKIP)' "$dir/check-$backend.log" |
		grep -v '^# ===' | sed "s/^/[$variant $backend] /"
	if [ $rc -ne 0 ]; then
		echo "make check failed ($variant, $backend); logs in $dir"
		tail -n 30 "$dir/check-$backend.log"
		return 1
	fi
	if grep -l 'OOH_VDB: libooh cannot open' "$dir"/tests/*.log "$dir"/*.log 2>/dev/null; then
		echo "a test fell back to the mprotect VDB ($backend)"
		return 1
	fi
	if ! grep -q "GC OOH_VDB: using libooh backend $backend" "$dir"/gctest.log \
		"$dir"/tests/gctest.log 2>/dev/null; then
		echo "gctest did not run on libooh backend $backend"
		return 1
	fi
	GC_CHECK_DIR=$dir
	GC_RELINKED=$dir
	return 0
}
