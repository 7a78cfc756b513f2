# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# tests/system/cfg.sh - read tests/system/unittests.cfg (kvm-unit-tests'
# format: "[name]" sections of "key = value" lines, '#' comments), for
# tests/run and the system tests (sourced; defines functions only).

# cfg_sections CFG: the section names, in order
cfg_sections() {
	sed -n 's/^\[\([^]]*\)\][[:space:]]*$/\1/p' "$1"
}

# cfg_get CFG SECTION KEY: the value of KEY in SECTION (empty if none)
cfg_get() {
	awk -v s="$2" -v k="$3" '
		/^\[/ { sec = $0; sub(/^\[/, "", sec); sub(/\][[:space:]]*$/, "", sec); next }
		sec == s && $0 ~ "^" k "[[:space:]]*=" {
			sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]+$/, ""); print; exit
		}' "$1"
}

# cfg_section_of CFG FILE: the section whose "file" is FILE (empty if none)
cfg_section_of() {
	local sec
	for sec in $(cfg_sections "$1"); do
		[ "$(cfg_get "$1" "$sec" file)" = "$2" ] && { printf '%s\n' "$sec"; return 0; }
	done
	return 0
}
