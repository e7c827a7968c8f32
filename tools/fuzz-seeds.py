#!/usr/bin/env python3
"""Write the seed corpora of the host fuzz targets (tests/fuzz/*_fuzz.c).

    tools/fuzz-seeds.py OUTDIR

Creates OUTDIR/<target>/<seed> files: well-formed inputs the fuzzers start from, so libFuzzer
mutates real structures instead of discovering every magic number itself.  Deterministic: the
same files every time (no clock, fixed pseudo-random seeds).

  elf        static i386 executables: one segment; text + data + bss; two segments in one page
  multiboot  a multiboot_info_t at address 0 with a memory map as QEMU gives it (-m 32M and
             -m 3G), two modules with names; and one with an odd map (reserved inside RAM)
  cspace     byte strings for the CSpace builder: a two-level CSpace, a self-loop, random ones
"""

import os
import random
import struct
import sys

PAGE = 4096


def elf(segments, entry):
    """An ELF32 i386 executable; segments are (vaddr, data bytes, mem_size)."""
    ehsize, phentsize = 52, 32
    phoff = ehsize
    offset = phoff + phentsize * len(segments)
    phdrs, blobs = b"", b""
    for vaddr, data, memsz in segments:
        phdrs += struct.pack("<8I", 1, offset + len(blobs), vaddr, vaddr, len(data), memsz, 7,
                             PAGE)
        blobs += data
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, phoff, 0, 0, ehsize,
                                 phentsize, len(segments), 40, 0, 0)
    return header + phdrs + blobs


def multiboot(entries, modules, mmap_at=0x100, mods_at=0x400, names_at=0x500):
    """Physical memory from address 0: info at 0, then the map, module list and names."""
    mmap = b"".join(struct.pack("<IQQI", 20, a, l, t) for a, l, t in entries)
    names, name_addrs = b"", []
    for _, _, name in modules:
        name_addrs.append(names_at + len(names))
        names += name.encode() + b"\0"
    mods = b"".join(struct.pack("<4I", s, e, n, 0)
                    for (s, e, _), n in zip(modules, name_addrs))
    flags = (1 << 0) | (1 << 3) | (1 << 6)
    info = struct.pack("<7I4I2I", flags, 639, 31744, 0, 0, len(modules), mods_at,
                       0, 0, 0, 0, len(mmap), mmap_at)
    mem = bytearray(names_at + len(names))
    mem[0:len(info)] = info
    mem[mmap_at:mmap_at + len(mmap)] = mmap
    mem[mods_at:mods_at + len(mods)] = mods
    mem[names_at:names_at + len(names)] = names
    return bytes(mem)


def qemu_map(ram_mib):
    """The e820 map SeaBIOS reports for -m ram_mib (below and above 4 GiB)."""
    low = min(ram_mib, 3072) << 20
    entries = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
               (0x100000, low - 0x100000 - 0x20000, 1), (low - 0x20000, 0x20000, 2),
               (0xfeffc000, 0x4000, 2), (0xfffc0000, 0x40000, 2)]
    if ram_mib > 3072:
        entries.append((1 << 32, (ram_mib - 3072) << 20, 1))
    return entries


def write(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    code = bytes([0x90] * 16 + [0xeb, 0xfe])
    write(out, "elf", "one-segment", elf([(0x400000, code, len(code))], 0x400000))
    write(out, "elf", "text-data-bss",
          elf([(0x400000, code * 8, PAGE), (0x401000, b"data" * 16, 3 * PAGE)], 0x400010))
    write(out, "elf", "same-page", elf([(0x400000, code, 0x100), (0x400800, code, 0x100)],
                                       0x400800))

    mods = [(0x200000, 0x23a000, "boot.elf"), (0x23a000, 0x23b000, "tree.dtb")]
    write(out, "multiboot", "qemu-32M", multiboot(qemu_map(32), mods))
    write(out, "multiboot", "qemu-3G", multiboot(qemu_map(3072 + 1024), mods[:1]))
    odd = [(0, 0x9fc00, 1), (0x100000, 0x3f00000, 1), (0x800000, 0x1800, 2),
           (0x2000000, 0x100000, 1), (0xffffffff00000000, 0x200000000, 3)]
    write(out, "multiboot", "odd-map", multiboot(odd, mods))

    # cspace: n_nodes-1, radix-1 per node, then per slot a kind byte (>= 128: CNode cap:
    # node, guard size, guard), then the root, then (cptr, depth) queries.
    two_level = bytes([1, 3, 3]) + bytes([200, 1, 0, 0, 0, 0, 0]) + bytes(15) + bytes(16) \
        + bytes([255, 24, 0, 0, 0, 0]) + struct.pack("<IB", 0x11, 12) + struct.pack("<IB", 0x10, 32)
    write(out, "cspace", "two-level", two_level)
    loop = bytes([0, 0]) + bytes([200, 0, 0, 0, 0, 0, 0]) * 2 + bytes([255, 31, 0, 0, 0, 0]) \
        + struct.pack("<IB", 0xffffffff, 32)
    write(out, "cspace", "self-loop", loop)
    rng = random.Random(20240601)
    for i in range(4):
        write(out, "cspace", "random-%d" % i, bytes(rng.randrange(256) for _ in range(512)))


if __name__ == "__main__":
    main()
