#!/usr/bin/env python3
"""Make the boot modules of the robust boot scenarios (tests/robust/scenarios.conf).

    tools/robust-modules.py OUTDIR ROOT_ELF TREE_DTS

From a working root task (the boot suite) it writes, deterministically:
  not-elf.txt             text, not an ELF file
  truncated-header.elf    the first 40 bytes of ROOT_ELF (less than an ELF header)
  truncated-segments.elf  ROOT_ELF cut right after its program headers (segment data missing)
  bad-entry.elf           ROOT_ELF with its entry point moved below the image
  tree.dtb                TREE_DTS compiled with dtc
  small-NN.bin            17 one-page modules, for the too-many-modules scenario
"""

import os
import struct
import subprocess
import sys

ELF_HEADER = 52
E_ENTRY, E_PHOFF, E_PHNUM = 24, 28, 44
PHDR_SIZE = 32
MAX_MODULES = 16


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, root, dts = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    with open(root, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or len(elf) < ELF_HEADER:
        sys.exit("robust-modules: %s is not an ELF file" % root)
    phoff, = struct.unpack_from("<I", elf, E_PHOFF)
    phnum, = struct.unpack_from("<H", elf, E_PHNUM)

    write(os.path.join(out, "not-elf.txt"), b"#!/bin/sh\necho this is not a root task\n" * 8)
    write(os.path.join(out, "truncated-header.elf"), elf[:40])
    write(os.path.join(out, "truncated-segments.elf"), elf[:phoff + phnum * PHDR_SIZE])
    bad = bytearray(elf)
    struct.pack_into("<I", bad, E_ENTRY, 0x10)
    write(os.path.join(out, "bad-entry.elf"), bytes(bad))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", os.path.join(out, "tree.dtb"),
                    dts], check=True)
    for i in range(MAX_MODULES + 1):
        write(os.path.join(out, "small-%02d.bin" % i), (b"module %02d\n" % i).ljust(4096, b"."))


if __name__ == "__main__":
    main()
