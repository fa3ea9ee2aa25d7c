# Sourced by arm64.sh and arm64-jar.sh: the Debian packages they need, installed when missing.

# The cross toolchain's packages that are missing here, one per line.
missing_cross_packages() {
    command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || echo g++-aarch64-linux-gnu
    command -v qemu-aarch64 >/dev/null 2>&1 || echo qemu-user
}

# ensure_packages LABEL LOG_FILE [PACKAGE...]: installs the packages named (none: nothing to do)
# with apt-get, as root; otherwise, or when apt-get fails, says why and exits 3 ("not run").
# A package of the arm64 architecture (NAME:arm64) has that architecture added to dpkg first.
# The log's folder is made first: callers name one inside a build folder that does not exist yet.
ensure_packages() {
    local label="$1" log="$2"
    shift 2
    [ "$#" -gt 0 ] || return 0
    mkdir -p "$(dirname "$log")"
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "$label: not run: needs $* (apt-get install $*)"
        exit 3
    fi
    local add_arch=true
    case " $* " in *:arm64\ *) add_arch="dpkg --add-architecture arm64" ;; esac
    echo "$label: installing $*"
    if ! { $add_arch && apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
        tail -n 5 "$log"
        echo "$label: not run: apt-get could not install $*"
        exit 3
    fi
}

# The folders of MinGW-w64's runtime DLLs (libstdc++, libgcc_s_seh, libwinpthread), joined by ';'.
native_runtime_dirs() {
    local gcc
    gcc="$(dirname "$(x86_64-w64-mingw32-g++-posix -print-libgcc-file-name)")"
    echo "$gcc;/usr/x86_64-w64-mingw32/lib"
}
