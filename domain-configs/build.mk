# SPDX-License-Identifier: GPL-2.0-only
# Emulated host: `make` builds Bochs 3.0 + bochs-epml/series, the
# Xen 4.17 hypervisor + xen-patches/series and the dom0/domU images (all
# cached under $OOH_CACHE, keyed by content; a warm `make` takes seconds).
# The system tests in tests/system/ boot it (`make test`).
#
# For other fragments:
#   $(GUEST_KDIR)     kernel build dir for guest modules (linux-headers of the
#                     kernel the emulated host boots, scripts/guest-kdir;
#                     expanded, and the headers fetched, only where used):
#                       $(MAKE) -C $(GUEST_KDIR) M=$(CURDIR)/guest-uio modules
#   $(GUEST_KVER)     that kernel's release, e.g. 6.1.0-57-amd64, resolved
#                     from apt by scripts/emu-lib.sh (exported to every
#                     script as OOH_GUEST_KVER, so all of them agree)
#   $(GUEST_PAYLOAD)  domU payload ($(BUILD)/guest): put files in its
#                     bin/ tests/ modules/ lib/ root/ (domain-configs/README.md)
#   $(DOM0_PAYLOAD)   dom0 payload ($(BUILD)/dom0), same layout
# The image is built after every other target in ALL, so payload produced
# by ALL targets is in it.  build/emu/{bochs,xen,images} link to the cached
# outputs of this build (scripts/build-bochs, build-xen, build-images).
GUEST_KVER    := $(shell $(TOP)/scripts/guest-kdir --kver 2>/dev/null)
GUEST_KDIR     = $(shell $(TOP)/scripts/guest-kdir)
OOH_GUEST_KVER := $(GUEST_KVER)
export GUEST_KVER GUEST_PAYLOAD DOM0_PAYLOAD
ifneq ($(GUEST_KVER),)
export OOH_GUEST_KVER
endif

ALL += emu-image
.PHONY: emu-image
.SECONDEXPANSION:
emu-image: $$(filter-out emu-image,$$(ALL))
	@mkdir -p $(GUEST_PAYLOAD) $(DOM0_PAYLOAD)
	@mkdir -p $(BUILD)/emu
	@ln -sfn "$$($(TOP)/scripts/build-bochs)" $(BUILD)/emu/bochs
	@ln -sfn "$$($(TOP)/scripts/build-xen)" $(BUILD)/emu/xen
	@ln -sfn "$$(OOH_GUEST_PAYLOAD=$(GUEST_PAYLOAD) OOH_DOM0_PAYLOAD=$(DOM0_PAYLOAD) \
		$(TOP)/scripts/build-images)" $(BUILD)/emu/images

# The default domU payload is a guest ready to use: fragments list programs
# of build/bin/ that the domU carries on PATH with GUEST_BINS (copied by
# the rule below), and modules loaded at boot in modules/autoload
# (guest-uio/build.mk).  The test payloads (tests/system/) build their own.
$(GUEST_PAYLOAD)/bin/%: $(BIN)/%
	@mkdir -p $(@D)
	cp $< $@
