# CMake toolchain file: the native library and its tests for 64-bit Windows, built with Debian's
# MinGW-w64 (the posix-threads variant, for std::thread); ctest runs the tests under Debian's wine
# (native/cross/windows.sh does both).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
# The Windows x64 ABI keeps the stack 16-byte aligned and GCC cannot realign it for the 32- and
# 64-byte vectors it spills there (GCC bug 54412): the assembler turns every aligned vector move
# into an unaligned one, which costs nothing on aligned data.
set(CMAKE_CXX_FLAGS_INIT "-Wa,-muse-unaligned-vector-move")
set(CMAKE_C_FLAGS_INIT "-Wa,-muse-unaligned-vector-move")
# The tests run under wine, with the OpenBLAS and MinGW runtime DLLs found through WINEPATH.
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh)
