# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# tests/run-lib.sh - what the project's two test runners share: how a test
# declares its timeout and how its result reads.  POSIX sh: tests/run
# (bash, on the host) and ooh-guest-tests (busybox sh, in dom0 and the
# domU, where scripts/build-images installs this file as
# /opt/ooh/lib/run-lib.sh) source it; scripts/emu-results prints the
# guests' results with it, so every result line of a run comes from here.
#
# A test is an executable that exits 0 (pass), 77 (skip) or anything else
# (fail; 124: killed by its timeout).

# ooh_test_timeout FILE DEFAULT: print the test's timeout in seconds: the
# number of a "# timeout: SECONDS" line among FILE's first 20 lines, or
# DEFAULT.  Host tests count wall time; guest tests count the guest's
# clock (Bochs `clock: sync=none`), like every other limit inside a guest.
ooh_test_timeout() {
	_ooh_to=$(head -n 20 "$1" 2>/dev/null |
		sed -n 's/^# timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
	printf '%s\n' "${_ooh_to:-$2}"
}

# ooh_test_line RC NAME SECS [DETAIL]: print one test's result line,
#   PASS NAME SECSs
#   SKIP NAME SECSs  DETAIL          (DETAIL: the test's reason)
#   FAIL NAME SECSs  (DETAIL)        (DETAIL: default "exit RC", or
#                                     "timeout" for RC 124)
# NAME is GROUP/TEST ("native/trace.test", "guest/10-spml-grant").
ooh_test_line() {
	case $1 in
	0) printf 'PASS %-40s %6ss\n' "$2" "$3" ;;
	77) printf 'SKIP %-40s %6ss  %s\n' "$2" "$3" "${4:-}" ;;
	*)
		_ooh_why=${4:-}
		if [ -z "$_ooh_why" ]; then
			if [ "$1" -eq 124 ]; then _ooh_why=timeout; else _ooh_why="exit $1"; fi
		fi
		printf 'FAIL %-40s %6ss  (%s)\n' "$2" "$3" "$_ooh_why" ;;
	esac
}

# ooh_test_summary PASSED FAILED SKIPPED: print a run's last line
ooh_test_summary() {
	printf '%d passed, %d failed, %d skipped\n' "$1" "$2" "$3"
}
