# SPDX-License-Identifier: GPL-2.0-only
# tests/system/emu-lib.sh - shared by the emulated-host system tests.
# Assertion helpers print one line per check; `finish` exits 0/1.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/system/cfg.sh
. "$top/tests/system/cfg.sh"
# this script's section of tests/system/unittests.cfg, and a key of it
cfg_name=$(cfg_section_of "$top/tests/system/unittests.cfg" "$(basename "$0")")
cfg() { cfg_get "$top/tests/system/unittests.cfg" "$cfg_name" "$1"; }
failures=0
failed=()
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); failed+=("$*"); }
check() { # check DESCRIPTION COMMAND...: pass if COMMAND succeeds
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
has() { grep -aqE -- "$2" "$1"; }   # has FILE ERE
finish() {
	if [ $failures -eq 0 ]; then echo "Test result: PASS"; exit 0; fi
	# the failed checks again, last: a log cut to its tail still names them
	printf 'failed check: %s\n' "${failed[@]}"
	echo "Test result: FAIL ($failures checks failed)"; exit 1
}
stage_times() { # print the run's stage times
	echo "stage wall times (s):"
	sed 's/^/  /' "$1/stages.txt" 2>/dev/null
}
