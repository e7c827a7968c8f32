#!/usr/bin/env python3
"""Write the boot modules of the VMM's refusal table (tests/vmm/refusals.tsv).

    tools/vmm-test-modules.py GOOD.elf GOOD.dtb OUTDIR

From a good i386 executable (the guest stub):
  truncated.elf      cut one byte short of the end of the last segment's file data
  kernel-space.elf   the first loadable segment moved to 0xE0001000, inside the kernel window
  overlap.elf        the second loadable segment moved onto the first
  64bit.elf          the class byte says ELFCLASS64
  rootfs.cpio        8 KiB that are not an ELF file (an initrd stand-in)
From a good device tree (the default configuration), trees dtc cannot write:
  tree-truncated.dtb the first half of the blob: its header claims more than the module holds
  tree-corrupt.dtb   the first structure token overwritten with a token that does not exist
"""
import os
import struct
import sys

EI_CLASS = 4
ELFCLASS64 = 2
PT_LOAD = 1
KERNEL_WINDOW = 0xE0001000
INITRD_SIZE = 8192
FDT_OFF_STRUCT = 8          # header field: offset of the structure block
BAD_TOKEN = 0x0000000F      # FDT tokens are 1..4 and 9


def load_headers(data):
    """Offsets of the PT_LOAD program headers that have memory."""
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    loads = []
    for i in range(phnum):
        off = phoff + i * phentsize
        p_type, _, _, _, _, memsz = struct.unpack_from("<IIIIII", data, off)
        if p_type == PT_LOAD and memsz:
            loads.append(off)
    return loads


def set_vaddr(data, phdr, vaddr):
    b = bytearray(data)
    struct.pack_into("<I", b, phdr + 8, vaddr)
    return bytes(b)


def bad_elfs(data):
    loads = load_headers(data)
    if len(loads) < 2:
        sys.exit("vmm-test-modules: the good image has fewer than two loadable segments")
    end = max(sum(struct.unpack_from("<I", data, o + k)[0] for k in (4, 16)) for o in loads)
    first_vaddr, = struct.unpack_from("<I", data, loads[0] + 8)
    b = bytearray(data)
    b[EI_CLASS] = ELFCLASS64
    return {
        "truncated.elf": data[:end - 1],
        "kernel-space.elf": set_vaddr(data, loads[0], KERNEL_WINDOW),
        "overlap.elf": set_vaddr(data, loads[1], first_vaddr),
        "64bit.elf": bytes(b),
        "rootfs.cpio": bytes(i & 0xff for i in range(INITRD_SIZE)),
    }


def bad_trees(dtb):
    off_struct, = struct.unpack_from(">I", dtb, FDT_OFF_STRUCT)
    b = bytearray(dtb)
    struct.pack_into(">I", b, off_struct, BAD_TOKEN)
    return {"tree-truncated.dtb": dtb[:len(dtb) // 2], "tree-corrupt.dtb": bytes(b)}


def main():
    elf, dtb, outdir = sys.argv[1:4]
    out = bad_elfs(open(elf, "rb").read())
    out.update(bad_trees(open(dtb, "rb").read()))
    os.makedirs(outdir, exist_ok=True)
    for name, blob in out.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
