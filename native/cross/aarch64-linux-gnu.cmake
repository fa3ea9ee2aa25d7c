# CMake toolchain file: the native library and its tests for 64-bit ARM Linux, built with Debian's
# g++-aarch64-linux-gnu; ctest runs the tests under qemu-user (native/cross/arm64.sh does both).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# The ARM64 C library of the cross toolchain lives here; qemu-user loads the tests' libraries from it.
# The guest's library path is pinned to it too: where Debian's arm64 multiarch packages are also
# installed (native/cross/arm64-jar.sh adds them), the emulated loader otherwise reads their paths
# from the host's /etc/ld.so.cache and mixes the two C libraries, and the thread tests hung.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
