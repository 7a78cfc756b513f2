# SPDX-License-Identifier: GPL-2.0-only
# Bare-metal CPU tests: each directory tests/cpu/<name>/ with a
# test_main() becomes a multiboot kernel build/cpu-tests/<name>.bin and a
# GRUB ISO build/cpu-tests/<name>.iso, booted in Bochs by tests/cpu/*.test.
# Built with the host gcc, freestanding; not under build/tests/ (tests/run
# would execute them).
CPUT_DIR    := $(BUILD)/cpu-tests
CPUT_NAMES  := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/cpu/*/main.c))))
CPUT_LIB    := $(wildcard tests/cpu/lib/*.c tests/cpu/lib/*.S)
CPUT_HDRS   := $(wildcard tests/cpu/lib/*.h) include/ooh/epml.h
CPUT_CFLAGS := -m64 -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
               -ffreestanding -fno-pic -fno-pie -mno-red-zone \
               -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
               -fno-asynchronous-unwind-tables -fno-builtin \
               -Itests/cpu/lib -I$(TOP)/include
CPUT_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
                -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
                -T tests/cpu/lib/link.ld

# Per-test prerequisites need the stem ($$*) in a secondary expansion.
.SECONDEXPANSION:

ALL += $(foreach n,$(CPUT_NAMES),$(CPUT_DIR)/$(n).iso)
.PRECIOUS: $(CPUT_DIR)/%.elf $(CPUT_DIR)/%.bin

$(CPUT_DIR)/%.elf: $(CPUT_LIB) $(CPUT_HDRS) tests/cpu/lib/link.ld \
		   $$(wildcard tests/cpu/$$*/*.c tests/cpu/$$*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPUT_CFLAGS) -Itests/cpu/$* $(CPUT_LDFLAGS) -o $@ \
		$(CPUT_LIB) $(wildcard tests/cpu/$*/*.c)

$(CPUT_DIR)/%.bin: $(CPUT_DIR)/%.elf
	objcopy -O binary $< $@

$(CPUT_DIR)/%.iso: $(CPUT_DIR)/%.bin
	@rm -rf $(CPUT_DIR)/$*.isodir && mkdir -p $(CPUT_DIR)/$*.isodir/boot/grub
	cp $< $(CPUT_DIR)/$*.isodir/boot/$*.bin
	printf 'set timeout=0\nset default=0\nmenuentry "$*" {\n\tmultiboot /boot/$*.bin\n\tboot\n}\n' \
		> $(CPUT_DIR)/$*.isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(CPUT_DIR)/$*.isodir >$(CPUT_DIR)/$*.iso.log 2>&1 || \
		{ cat $(CPUT_DIR)/$*.iso.log; exit 1; }
