// Loads the windows-x86_64 platform jar's DLLs in JavaCPP's order (the MinGW runtime preloads,
// OpenBLAS as the preset would, xent.dll, then the JNI glue) under wine, and checks that the glue
// exports JNI_OnLoad and each JNI entry point named on the command line (the Linux glue's list):
//   windows_load.exe FOLDER_OF_DLLS OPENBLAS_DLL NAME...
// No Windows JVM runs here; this is how far the Windows jar is checked.
#include <windows.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: windows_load FOLDER OPENBLAS_DLL NAME...\n");
        return 2;
    }
    const std::string folder = argv[1];
    int failures = 0;
    HMODULE glue = nullptr;
    const std::string libraries[] = {folder + "\\libwinpthread-1.dll", folder + "\\libgcc_s_seh-1.dll",
                                     folder + "\\libstdc++-6.dll", argv[2], folder + "\\xent.dll",
                                     folder + "\\jniXentNative.dll"};
    for (const std::string& library : libraries) {
        HMODULE h = LoadLibraryA(library.c_str());
        std::printf("%s %s\n", h != nullptr ? "loaded" : "FAILED to load", library.c_str());
        if (h == nullptr) failures++;
        glue = h;
    }
    if (glue == nullptr) return 1;
    int found = 0;
    for (int i = 3; i <= argc; ++i) {
        const char* name = i == argc ? "JNI_OnLoad" : argv[i];
        if (GetProcAddress(glue, name) != nullptr) {
            found++;
        } else {
            std::printf("missing export %s\n", name);
            failures++;
        }
    }
    std::printf("jniXentNative.dll: %d of %d JNI entry points found\n", found, argc - 2);
    return failures == 0 ? 0 : 1;
}
