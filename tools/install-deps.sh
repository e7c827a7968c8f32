#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need, and only what is missing.
#
# Idempotent: when everything is installed it only asks dpkg and exits at once, so `make run`,
# `make test` and `make bench` call it every time.  Otherwise it adds the i386 architecture
# (for libfdt-dev:i386), runs `apt-get update` without trusting its exit status (an i386 index
# can fail mid-mirror-sync while every package still installs, see
# shared/design/toolchain.md), installs the missing packages and then checks each one again,
# naming any that is still missing.
#
# SKIP_DEPS=1 skips all of this (for a machine that has the tools but no apt).
set -euo pipefail
cd "$(dirname "$0")/.."    # build/ paths below are the repository's

PACKAGES=(
    qemu-system-x86      # qemu-system-i386: boots the kernel, runs the system tests
    gcc-multilib         # gcc -m32 and the 32-bit libgcc
    libc6-dev-i386       # glibc for gcc -m32 -static: the guest kernel's test programs
    binutils             # ld, ar
    make
    device-tree-compiler # dtc: builds the VMM's device trees
    libfdt-dev:i386      # libfdt.a for the i386 VMM (and libfdt.h)
    libfdt1:amd64        # libfdt.so.1 for the host tests of the VMM configuration; not
                         #   libfdt-dev:amd64, which would replace libfdt-dev:i386
    libcmocka-dev        # host unit tests
    python3              # test and benchmark harnesses
    python3-matplotlib   # benchmark plots
    clang                # host fuzzing with libFuzzer (make fuzz; make test runs each briefly)
    libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes for clang (only recommended by it)
    bochs                # second emulator: the Bochs boot test (make bochs-smoke, make test)
    bochsbios            #   its BIOS
    vgabios              #   its VGA BIOS
    bochs-term           #   its headless display library (display_library: term)
    grub-pc-bin          # grub-mkrescue's i386-pc modules: Bochs boots the kernel through GRUB
    xorriso              # grub-mkrescue writes the ISO with it
    mtools               # grub-mkrescue's EFI image (mformat)
    cpio                 # initramfs archives (newc) for the guest kernel's tests
)

# Guest workloads that are fetched, not installed (they would replace the host's own): Debian's
# static i386 busybox, unpacked under build/ for the Linux personality's tests (tests/unit/guest/).
BUSYBOX_DEB_DIR=build/debs
BUSYBOX_ROOT=$BUSYBOX_DEB_DIR/busybox-static-i386
BUSYBOX_PACKAGE=busybox-static:i386

# musl for the i386 test programs (gcc -m32 -static against musl, docs/guest.md) is fetched the
# same way: musl-dev:i386 cannot be installed beside gcc-multilib on Debian 12 (it depends on
# gcc-i686-linux-gnu, which gcc-multilib conflicts with), so its headers, crt files, libc.a and
# musl-gcc.specs are unpacked into $MUSL_ROOT and the Makefile points the specs there.
MUSL_ROOT=$BUSYBOX_DEB_DIR/musl-dev-i386
MUSL_PACKAGE=musl-dev:i386

# `tools/install-deps.sh native-linux` (make bench-native) fetches Debian's own i386 kernel the
# same way: the metapackage linux-image-686:i386 with `apt-get download`, then the real
# linux-image-<abi>-686 package it depends on (never from anywhere else), cached in
# $NATIVE_DIR, and extracts its vmlinuz with `dpkg-deb -x` to $NATIVE_DIR/vmlinuz.
NATIVE_DIR=build/native
NATIVE_META=linux-image-686:i386

fetch_native_linux() {
    local meta real version
    [ -r "$NATIVE_DIR/vmlinuz" ] && return 0
    mkdir -p "$NATIVE_DIR"
    (cd "$NATIVE_DIR" && rm -f linux-image-686_*_i386.deb && apt-get download "$NATIVE_META") || {
        echo "install-deps: error: apt-get download $NATIVE_META failed (is the i386" \
             "architecture added and apt-get update run?)" >&2
        return 1
    }
    meta=$(ls "$NATIVE_DIR"/linux-image-686_*_i386.deb)
    # Depends: linux-image-6.1.0-NN-686 (= VERSION): the package that holds the kernel.
    real=$(dpkg-deb -f "$meta" Depends | grep -o 'linux-image-[0-9][^ ,]*-686' | head -n 1)
    version=$(dpkg-deb -f "$meta" Version)
    if [ -z "$real" ]; then
        echo "install-deps: error: $meta names no linux-image-*-686 package" >&2
        return 1
    fi
    echo "install-deps: fetching $real:i386 ($version) into $NATIVE_DIR"
    (cd "$NATIVE_DIR" && apt-get download "$real:i386=$version") || {
        echo "install-deps: error: apt-get download $real:i386=$version failed" >&2
        return 1
    }
    # Only the kernel image, not the modules: dpkg-deb's file-system archive, one member.
    if ! dpkg-deb --fsys-tarfile "$NATIVE_DIR/${real}_${version}_i386.deb" |
            tar -xO --wildcards './boot/vmlinuz-*' > "$NATIVE_DIR/vmlinuz.tmp" ||
       [ ! -s "$NATIVE_DIR/vmlinuz.tmp" ]; then
        echo "install-deps: error: package $real has no boot/vmlinuz-*" >&2
        return 1
    fi
    echo "$real $version" > "$NATIVE_DIR/version"
    mv -f "$NATIVE_DIR/vmlinuz.tmp" "$NATIVE_DIR/vmlinuz"
}

if [ "${1:-}" = native-linux ]; then
    fetch_native_linux
    exit $?
fi

if [ "${SKIP_DEPS:-0}" = 1 ]; then
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found: this is not a Debian system." >&2
    echo "install-deps: install the equivalents of: ${PACKAGES[*]}; then use SKIP_DEPS=1." >&2
    exit 1
fi

is_installed() {
    # "ii " = wanted install, currently installed, no error flag.
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        is_installed "$p" || echo "$p"
    done
}

# Fetches the i386 package $1 with `apt-get download` into $BUSYBOX_DEB_DIR (its .deb named by
# the glob $3) and unpacks it with `dpkg-deb -x` into $2.  Needs the i386 architecture in apt's
# lists.
fetch_deb() {
    local package=$1 root=$2 deb=$3
    echo "install-deps: fetching $package into $root"
    mkdir -p "$BUSYBOX_DEB_DIR"
    rm -f "$BUSYBOX_DEB_DIR"/$deb
    if ! (cd "$BUSYBOX_DEB_DIR" && apt-get download "$package"); then
        echo "install-deps: error: apt-get download $package failed (is the i386" \
             "architecture added and apt-get update run?)" >&2
        return 1
    fi
    rm -rf "$root"
    dpkg-deb -x "$BUSYBOX_DEB_DIR"/$deb "$root"
}

# busybox-static:i386 into $BUSYBOX_ROOT, unless it is there.
fetch_busybox() {
    [ -x "$BUSYBOX_ROOT/bin/busybox" ] && return 0
    fetch_deb "$BUSYBOX_PACKAGE" "$BUSYBOX_ROOT" 'busybox-static_*_i386.deb' || return 1
    if [ ! -x "$BUSYBOX_ROOT/bin/busybox" ]; then
        echo "install-deps: error: package $BUSYBOX_PACKAGE has no bin/busybox" >&2
        return 1
    fi
}

# musl-dev:i386 into $MUSL_ROOT, unless it is there (it cannot be installed beside gcc-multilib).
fetch_musl() {
    local lib=$MUSL_ROOT/usr/lib/i386-linux-musl
    [ -r "$lib/libc.a" ] && [ -r "$lib/musl-gcc.specs" ] && return 0
    fetch_deb "$MUSL_PACKAGE" "$MUSL_ROOT" 'musl-dev_*_i386.deb' || return 1
    if [ ! -r "$lib/libc.a" ] || [ ! -r "$lib/musl-gcc.specs" ] ||
       [ ! -r "$MUSL_ROOT/usr/include/i386-linux-musl/stdio.h" ]; then
        echo "install-deps: error: package $MUSL_PACKAGE has no usr/lib/i386-linux-musl/libc.a," \
             "musl-gcc.specs or usr/include/i386-linux-musl/stdio.h" >&2
        return 1
    fi
}

fetch_guest_packages() {
    fetch_busybox && fetch_musl
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
    fetch_guest_packages
    exit $?
fi

echo "install-deps: missing packages: ${missing[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        echo "install-deps: not root and no password-less sudo; as root run:" >&2
        echo "  dpkg --add-architecture i386 && apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

if printf '%s\n' "${missing[@]}" | grep -q ':i386$' &&
   ! dpkg --print-foreign-architectures | grep -qx i386; then
    echo "install-deps: adding the i386 architecture"
    "${SUDO[@]}" dpkg --add-architecture i386
fi

# Wait for a dpkg lock held by another apt run rather than failing at once.
APT_OPTS=(-o DPkg::Lock::Timeout=600)

echo "install-deps: apt-get update"
if ! "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update; then
    echo "install-deps: warning: apt-get update reported errors; trying to install anyway" >&2
fi

echo "install-deps: apt-get install ${missing[*]}"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"; then
    echo "install-deps: warning: apt-get install reported errors; checking what is there" >&2
fi

mapfile -t still < <(missing_packages)
if [ "${#still[@]}" -ne 0 ]; then
    for p in "${still[@]}"; do
        echo "install-deps: error: package $p is not installed" >&2
    done
    exit 1
fi
echo "install-deps: all packages installed"
fetch_guest_packages
