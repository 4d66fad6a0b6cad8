# Cross build for 32-bit ARM Linux (Debian armhf: ARMv7, hard float), from an amd64 Debian 12 host.
# Same layout as toolchains/aarch64-linux-gnu.cmake; read that file first.
#
# Not prepared by tools/setup.sh: the aarch64 build is the supported target. What the armhf build needs, by
# hand (as root), and why:
#   1. dpkg --add-architecture armhf
#      Then limit the Debian sources to the architectures they serve, or `apt-get update` exits 100 on the
#      security index ("File has unexpected size", PLATFORM.md): in /etc/apt/sources.list.d/debian.sources add
#      `Architectures: amd64 arm64 armhf` to each stanza, and `Architectures: amd64` (or `[arch=amd64]`) to any
#      non-Debian source. Then apt-get update.
#   2. apt-get install g++-arm-linux-gnueabihf qemu-user
#      libgtest-dev:armhf libgmock-dev:armhf libboost-dev:armhf libmosquitto-dev:armhf libsqlite3-dev:armhf
#      libsystemd-dev:armhf libspdlog-dev:armhf libfmt-dev:armhf libtomlplusplus-dev:armhf
#   3. XGBoost and dmlc must not be installed as :armhf (that removes the amd64 packages); unpack them:
#      mkdir -p build-armhf-sysroot && cd build-armhf-sysroot &&
#      apt-get download libxgboost0:armhf libxgboost-dev:armhf libdmlc0:armhf &&
#      for d in *.deb; do dpkg-deb -x "$d" .; done
#      (or point LC_ARMHF_SYSROOT at a folder prepared that way)
#   4. cmake --preset armhf && cmake --build --preset armhf && ctest --test-dir build-armhf
#
# 32-bit notes: long is 32 bits here, so -Wconversion catches size_t/int64 narrowing the 64-bit builds do not
# see; XGBoost predictions are bit-identical to x86-64 (PLATFORM.md).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(LC_TRIPLET arm-linux-gnueabihf)

set(CMAKE_C_COMPILER ${LC_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LC_TRIPLET}-g++)

if(DEFINED ENV{LC_ARMHF_SYSROOT})
  set(LC_ARMHF_SYSROOT $ENV{LC_ARMHF_SYSROOT})
else()
  get_filename_component(LC_ARMHF_SYSROOT ${CMAKE_CURRENT_LIST_DIR}/../build-armhf-sysroot ABSOLUTE)
endif()
if(NOT EXISTS ${LC_ARMHF_SYSROOT}/usr/include/xgboost/c_api.h)
  message(FATAL_ERROR "armhf toolchain: no XGBoost in ${LC_ARMHF_SYSROOT}; see the steps at the top of ${CMAKE_CURRENT_LIST_FILE}")
endif()
set(LC_ARMHF_SYSROOT ${LC_ARMHF_SYSROOT} CACHE PATH "Folder holding the unpacked armhf xgboost/dmlc debs")

set(CMAKE_LIBRARY_ARCHITECTURE ${LC_TRIPLET})
set(CMAKE_FIND_ROOT_PATH ${LC_ARMHF_SYSROOT} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# /usr/include after the cross compiler's own headers, and implicit to CMake (see the aarch64 file).
set(CMAKE_C_FLAGS_INIT "-idirafter /usr/include/${LC_TRIPLET} -idirafter /usr/include")
set(CMAKE_CXX_FLAGS_INIT "-idirafter /usr/include/${LC_TRIPLET} -idirafter /usr/include")

set(LC_ARMHF_LINK_FLAGS
    "-Wl,-rpath-link,/usr/lib/${LC_TRIPLET} -Wl,-rpath-link,/lib/${LC_TRIPLET} -Wl,-rpath-link,${LC_ARMHF_SYSROOT}/usr/lib/${LC_TRIPLET}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${LC_ARMHF_LINK_FLAGS}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${LC_ARMHF_LINK_FLAGS}")

set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${LC_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Cross toolchain's libc first, matching the ld.so that -L selects (see the aarch64 file for why).
find_program(LC_QEMU_ARM qemu-arm REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${LC_QEMU_ARM} -L /usr/${LC_TRIPLET}
    -E LD_LIBRARY_PATH=/usr/${LC_TRIPLET}/lib:/usr/lib/${LC_TRIPLET}:/lib/${LC_TRIPLET}:${LC_ARMHF_SYSROOT}/usr/lib/${LC_TRIPLET})
