/*
 * inventory/elf.c: the ELF identification every inventory record carries.
 *
 * Only the identification bytes and the fixed part of the ELF header are read (through the
 * byte cursor): class, data encoding, type and machine. Deeper ELF parsing (sections,
 * dynamic table, hardening) belongs to the analysers that will build on this.
 */
#include "unpack/engine.h"

bool
vouch_elf_ident(const uint8_t *p, size_t n, vouch_elf_info *out)
{
	vouch_rd r;
	const uint8_t *id;
	uint16_t type, machine;

	vouch_rd_init(&r, p, n);
	if (vouch_rd_view(&r, 16, &id) != VOUCH_OK || id[0] != 0x7F || id[1] != 'E' ||
	    id[2] != 'L' || id[3] != 'F') {
		return false;
	}
	if ((id[4] != 1 && id[4] != 2) || (id[5] != 1 && id[5] != 2)) {
		return false;
	}
	if (id[5] == 1) {
		if (vouch_rd_u16le(&r, &type) || vouch_rd_u16le(&r, &machine)) {
			return false;
		}
	} else if (vouch_rd_u16be(&r, &type) || vouch_rd_u16be(&r, &machine)) {
		return false;
	}
	out->cls = id[4];
	out->endian = id[5];
	out->type = type;
	out->machine = machine;
	return true;
}

const char *
vouch_elf_machine_str(uint16_t m)
{
	switch (m) {
	case 2: return "sparc";
	case 3: return "x86";
	case 8: return "mips";
	case 20: return "ppc";
	case 21: return "ppc64";
	case 22: return "s390";
	case 40: return "arm";
	case 42: return "superh";
	case 43: return "sparcv9";
	case 62: return "x86-64";
	case 83: return "avr";
	case 94: return "xtensa";
	case 183: return "aarch64";
	case 243: return "riscv";
	case 258: return "loongarch";
	case 106: return "blackfin";
	case 164: return "hexagon";
	case 92: return "openrisc";
	case 189: return "microblaze";
	case 93: return "arc";
	default: return "unknown";
	}
}
