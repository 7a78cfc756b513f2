# SPDX-License-Identifier: GPL-2.0-only
# Top-level build.  Every component adds itself through a fragment
# <component>/build.mk that appends to:
#   ALL      targets built by `make`            (programs land in build/bin/)
#   BENCH    commands run by `make bench`        (each prints its own table)
# and may add phony targets of its own.  Tests are run by tests/run.
#
#   make deps     install the Debian packages everything needs (idempotent)
#   make          build everything
#   make test     deps + build + every test this machine can run
#   make bench    deps + build + benchmark tables
#   make compare  deps + build + the Boehm GC backend comparison (main job)
#   make install  libooh (libraries, headers, .pc), its CLIs, xen-pml and
#                 their man pages under PREFIX (/usr/local), DESTDIR honoured
#   make uninstall  removes what make install installed (same PREFIX,
#                 DESTDIR)

TOP     := $(CURDIR)
BUILD   := $(TOP)/build
BIN     := $(BUILD)/bin
CC      ?= gcc
CFLAGS  ?= -O2 -g
# once: a recursive make (make compare, make test) inherits the result
ifndef OOH_CFLAGS_ADDED
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
           -I$(TOP)/include
endif
OOH_CFLAGS_ADDED := 1
export TOP BUILD BIN CC CFLAGS OOH_CFLAGS_ADDED

ALL   :=
BENCH :=
# the domU and dom0 payload directories (domain-configs/build.mk), here so
# that every fragment's rules see them whatever the include order
GUEST_PAYLOAD := $(BUILD)/guest
DOM0_PAYLOAD  := $(BUILD)/dom0

.PHONY: all deps test bench compare clean install uninstall
all: build-all

include $(sort $(wildcard */build.mk))

.PHONY: build-all
build-all: $(ALL)

# Per component (each also part of a plain `make`):
#   make libooh   the library (static, shared, .pc) and its CLIs
#   make xen-pml  the dom0 CLI
#   make guest    the domU payload: guest module, tools, Boehm workloads
#   make emu      Bochs, Xen and the dom0/domU images (build/emu/ links)
.PHONY: libooh xen-pml guest emu
libooh: $(LIBOOH_A) $(LIBOOH_SO) $(OOH_TOOLS) $(BIN)/ooh-bench \
	$(BUILD)/lib/pkgconfig/ooh.pc $(BUILD)/lib/pkgconfig/ooh-uninstalled.pc
xen-pml: $(BIN)/xen-pml
guest: $(filter $(GUEST_PAYLOAD)/%,$(ALL))
emu: emu-image

deps:
	@scripts/deps

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@tests/run

bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@set -e; $(foreach b,$(BENCH),$(b);)

# xen-pml needs Xen's headers (libxen-dev); without them make install
# installs libooh and its tools and says what it skipped.
HAVE_XEN_HEADERS := $(shell echo '\#include <xenctrl.h>' | $(CC) -E -x c - >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_XEN_HEADERS),yes)
install: install-libooh install-xen-pml
uninstall: uninstall-libooh uninstall-xen-pml
else
install: install-libooh
	@echo "make install: xen-pml skipped: Xen's headers (xenctrl.h, Debian libxen-dev) are not installed"
uninstall: uninstall-libooh
endif

clean:
	rm -rf $(BUILD)
