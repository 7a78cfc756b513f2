# SPDX-License-Identifier: GPL-2.0-only
# guest-uio: the SPML guest module for the emulated host's domU and its
# smoke test, both into the domU payload (scripts/build-images):
#   build/guest/modules/ooh_pml.ko (+ Debian's uio.ko)  scripts/build-guest-uio
#   build/guest/bin/spml-smoke
#   build/guest/modules/autoload   the domU's /init loads uio.ko and
#                                  ooh_pml.ko at boot (/dev/ooh-spml, and
#                                  /dev/ooh-epml where Xen grants EPML)
ALL += $(BUILD)/guest/bin/spml-smoke $(BUILD)/guest/modules/ooh_pml.ko \
	$(BUILD)/guest/modules/autoload

$(BUILD)/guest/modules/autoload: guest-uio/build.mk
	@mkdir -p $(@D)
	printf 'uio.ko\nooh_pml.ko\n' > $@

$(BUILD)/guest/bin/spml-smoke: guest-uio/spml-smoke.c include/ooh/spml_uio.h include/ooh/ring.h include/ooh/barrier.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/guest/modules/ooh_pml.ko: guest-uio/tracker.c guest-uio/xen.c guest-uio/spml.c guest-uio/epml.c guest-uio/resolve.c guest-uio/ring.c guest-uio/ooh_pml.h guest-uio/Kbuild include/ooh/spml.h include/ooh/spml_uio.h include/ooh/ring.h include/ooh/barrier.h scripts/build-guest-uio
	OOH_GUEST_MODULES=$(@D) scripts/build-guest-uio >/dev/null
