# Cross build for the onboard computer: 64-bit ARM Linux (Debian arm64), from an amd64 Debian 12 host.
#
# Prepared by `tools/setup.sh --cross` (tools/setup_arm64_sysroot.sh):
#   - compiler       g++-aarch64-linux-gnu; its own libc/libstdc++/libgomp live in /usr/aarch64-linux-gnu
#   - libraries      arm64 multiarch packages in /usr/lib/aarch64-linux-gnu (gtest, boost, sqlite, mosquitto,
#                    systemd, spdlog, fmt, toml++); their headers are the shared ones in /usr/include
#   - xgboost, dmlc  unpacked into LC_ARM64_SYSROOT (default <repo>/build-aarch64-sysroot), because installing
#                    them as :arm64 would remove the amd64 packages the host build uses (PLATFORM.md)
#   - running        qemu-aarch64 as CMAKE_CROSSCOMPILING_EMULATOR, so ctest and gtest_discover_tests work
#                    without binfmt_misc
#
# Usage: cmake --preset aarch64 && cmake --build --preset aarch64 && ctest --preset aarch64
# (or tools/cross_test.sh, which does the three and times them).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LC_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${LC_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LC_TRIPLET}-g++)

# The environment variable wins so CI or a second checkout can share one sysroot.
if(DEFINED ENV{LC_ARM64_SYSROOT})
  set(LC_ARM64_SYSROOT $ENV{LC_ARM64_SYSROOT})
else()
  get_filename_component(LC_ARM64_SYSROOT ${CMAKE_CURRENT_LIST_DIR}/../build-aarch64-sysroot ABSOLUTE)
endif()
if(NOT EXISTS ${LC_ARM64_SYSROOT}/usr/include/xgboost/c_api.h)
  message(FATAL_ERROR "aarch64 toolchain: no XGBoost in ${LC_ARM64_SYSROOT}; run tools/setup.sh --cross")
endif()
set(LC_ARM64_SYSROOT ${LC_ARM64_SYSROOT} CACHE PATH "Folder holding the unpacked arm64 xgboost/dmlc debs")

# Multiarch: find_library/find_package look in <prefix>/lib/aarch64-linux-gnu, never in the host's
# x86_64-linux-gnu folders.
set(CMAKE_LIBRARY_ARCHITECTURE ${LC_TRIPLET})

# Search order: the xgboost sysroot first, then the host root (for /usr/lib/aarch64-linux-gnu and the shared
# headers). Programs (pkg-config, qemu) always come from the host.
set(CMAKE_FIND_ROOT_PATH ${LC_ARM64_SYSROOT} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The cross compiler does not search /usr/include by itself. Adding it with -idirafter keeps the compiler's
# own libc and libstdc++ headers first and makes CMake record /usr/include as an implicit directory, so
# imported targets that name it (Boost, GTest, spdlog) do not turn it into an -isystem that would shadow
# libstdc++'s <cmath>/<cstdlib> wrappers. The multiarch folder holds the arm64 halves of those headers.
set(CMAKE_C_FLAGS_INIT "-idirafter /usr/include/${LC_TRIPLET} -idirafter /usr/include")
set(CMAKE_CXX_FLAGS_INIT "-idirafter /usr/include/${LC_TRIPLET} -idirafter /usr/include")

# Shared libraries pull in their own dependencies (libsystemd -> liblzma, libzstd, libcap, ...; xgboost ->
# dmlc); the linker must be able to find those without linking them directly.
set(LC_ARM64_LINK_FLAGS
    "-Wl,-rpath-link,/usr/lib/${LC_TRIPLET} -Wl,-rpath-link,/lib/${LC_TRIPLET} -Wl,-rpath-link,${LC_ARM64_SYSROOT}/usr/lib/${LC_TRIPLET}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${LC_ARM64_LINK_FLAGS}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${LC_ARM64_LINK_FLAGS}")

# pkg-config (libmosquitto, tomlplusplus, libsystemd) must read the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${LC_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Target programs run under user-mode qemu. -L gives the dynamic loader of the cross toolchain
# (/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1); LD_LIBRARY_PATH (inside the guest) finds the libraries.
# The cross toolchain's own lib folder must come FIRST: the arm64 multiarch packages pull in libc6:arm64, a
# different glibc build (2.36-9+deb12u14 vs the cross 2.36-8cross1), and a libc.so.6 that does not match its
# ld.so corrupts shared loader state (since glibc 2.34 the thread-stack cache lives in ld.so): the first
# pthread_create after a thread exited spun forever in allocate_stack (seen as a hanging outbox test).
find_program(LC_QEMU_AARCH64 qemu-aarch64 REQUIRED)
# OMP_NUM_THREADS=1: libgomp's thread pool (XGBoost) can hang under user-mode qemu (seen with loadercount replay
# on a 2-minute log); one thread is what the onboard daemon runs with anyway (loadercountd.service).
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${LC_QEMU_AARCH64} -L /usr/${LC_TRIPLET}
    -E OMP_NUM_THREADS=1 -E OMP_WAIT_POLICY=PASSIVE
    -E LD_LIBRARY_PATH=/usr/${LC_TRIPLET}/lib:/usr/lib/${LC_TRIPLET}:/lib/${LC_TRIPLET}:${LC_ARM64_SYSROOT}/usr/lib/${LC_TRIPLET})

# Tests that start a target program themselves (std::system, posix_spawn) must put the emulator in front of
# it: under user-mode qemu the child is executed by the host kernel, which refuses an aarch64 ELF without
# binfmt_misc. A test can get the prefix as a compile definition, e.g. in tests/CMakeLists.txt:
#   list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " emu)   # empty for native builds
#   target_compile_definitions(test_x PRIVATE LC_RUN_PREFIX="${emu}")
# and run `LC_RUN_PREFIX " " LC_BIN_DIR "/loadercount ..."`. Until then tools/cross_test.sh skips them.
