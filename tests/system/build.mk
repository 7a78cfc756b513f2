# SPDX-License-Identifier: GPL-2.0-only
# The programs of the Shadow PML boot (tests/system/spml.test), from
# tests/system/emu-payload/spml/*.c with the project's CFLAGS:
#   build/systest-bin/guest/spml-*   run in the domU (libooh linked
#                                    statically: the domU has no libooh.so)
#   build/systest-bin/dom0/spml-*    run in dom0 (Xen's libraries)
# spml.test copies them into its boot's payload.
SPMLT_SRC   := tests/system/emu-payload/spml
SPMLT_BIN   := $(BUILD)/systest-bin
SPMLT_GUEST := iso perm syncfail poll otherw xenw alias sparse modeswitch vramw
SPMLT_DOM0  := logdirty pvctl flask dmop ioreq vram
ALL += $(SPMLT_GUEST:%=$(SPMLT_BIN)/guest/spml-%) \
	$(SPMLT_DOM0:%=$(SPMLT_BIN)/dom0/spml-%)

# SPMLT_LIBS_<name>: what one program links besides libc
SPMLT_LIBOOH        := $(LIBOOH_A) $(LIBOOH_LIBS)
SPMLT_LIBS_otherw   := $(SPMLT_LIBOOH)
SPMLT_LIBS_alias    := $(SPMLT_LIBOOH)
SPMLT_LIBS_sparse   := $(SPMLT_LIBOOH)
SPMLT_LIBS_modeswitch := $(SPMLT_LIBOOH)
SPMLT_LIBS_vramw    := $(SPMLT_LIBOOH)
# liburing linked statically: the domU image carries no liburing
SPMLT_LIBS_xenw     := -Wl,-Bstatic -luring -Wl,-Bdynamic $(SPMLT_LIBOOH)
SPMLT_LIBS_poll     := -pthread
SPMLT_LIBS_logdirty := -lxenctrl
SPMLT_LIBS_pvctl    := $(XCSPML_A) -lxenctrl
SPMLT_LIBS_flask    := -lxenctrl
SPMLT_LIBS_dmop     := -lxendevicemodel
SPMLT_LIBS_ioreq    := -lxendevicemodel
SPMLT_LIBS_vram     := -lxendevicemodel

$(SPMLT_BIN)/guest/spml-%: $(SPMLT_SRC)/spml-%.c $(SPMLT_SRC)/spmlt.h $(LIBOOH_A) include/ooh.h $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(SPMLT_LIBS_$*)

$(SPMLT_BIN)/dom0/spml-%: $(SPMLT_SRC)/spml-%.c $(SPMLT_SRC)/spmlt.h $(XCSPML_A) $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilibxc-ext -o $@ $< $(SPMLT_LIBS_$*)
