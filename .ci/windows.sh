#!/usr/bin/env bash
# Windows checks on Debian: clippy for x86_64-pc-windows-gnu and the OS-facing crates' tests under Wine.
#
# Procedure: shared/reference/windows-under-wine.md (Debian's rustc-web with -Zbuild-std, mingw linker,
# Wine 8 with the null graphics driver and a bcryptprimitives.dll stand-in for ProcessPrng).
# Run from the repository root (as .ci/run does). Idempotent: packages, the Wine prefix and the
# target-win build cache are reused on later runs.
#
# Environment: WINEPREFIX (default $PWD/target-win/wineprefix), WINEDEBUG (default -all).
set -euo pipefail

TARGET=x86_64-pc-windows-gnu
ROOT=$PWD
export CARGO_TARGET_DIR="$ROOT/target-win"
export WINEPREFIX="${WINEPREFIX:-$CARGO_TARGET_DIR/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
# insta finds the workspace by asking cargo, which the Windows test binaries cannot run under
# Wine; tell it where the snapshots are.
export INSTA_WORKSPACE_ROOT="$ROOT"
export DEBIAN_FRONTEND=noninteractive

start=$SECONDS
section() { printf '\n=== [windows %4ds] %s ===\n' "$((SECONDS - start))" "$*"; }

[ -f Cargo.toml ] && [ -d crates/ksana-shm ] || {
  echo "run .ci/windows.sh from the repository root" >&2
  exit 2
}

section "packages (rustc-web, rust-web-src, clippy, mingw-w64, wine)"
if ! [ -x /usr/bin/cargo ] || ! [ -x /usr/bin/rustc ] || ! [ -x /usr/bin/cargo-clippy ] \
  || ! [ -d /usr/lib/rustlib/src/rust/library ] || ! [ -x /usr/bin/x86_64-w64-mingw32-gcc ] \
  || ! command -v wine >/dev/null || ! command -v wineserver >/dev/null; then
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends \
    rustc-web cargo-web rust-web-src rust-web-clippy \
    gcc-mingw-w64-x86-64 wine wine64 ca-certificates
else
  echo "already installed"
fi
/usr/bin/rustc --version
/usr/bin/cargo --version
wine --version

# Debian's toolchain, not rustup's shims (reference §3.2).
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
unset RUSTC_WRAPPER RUSTFLAGS CARGO_BUILD_TARGET
CARGO=/usr/bin/cargo
XFLAGS=(-Zbuild-std --target "$TARGET")

section "wine prefix $WINEPREFIX"
marker="$WINEPREFIX/.ksana-ready"
if ! [ -f "$marker" ] || ! [ -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  mkdir -p "$WINEPREFIX"
  # No Mono/Gecko installers: console programs need neither.
  WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i >/dev/null 2>&1 || true
  # Null graphics driver: window creation works without an X server (reference §3.3).
  wine reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f >/dev/null
  wineserver -k || true
  # Rust std >= 1.78 imports ProcessPrng from bcryptprimitives.dll, which Wine 8 lacks (§3.4).
  shim=$(mktemp -d)
  cat >"$shim/bcryptprimitives.c" <<'SRC'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len); /* RtlGenRandom, advapi32 */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk; len -= chunk;
    }
    return TRUE;
}
SRC
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$shim/bcryptprimitives.dll" \
    "$shim/bcryptprimitives.c" -ladvapi32
  cp "$shim/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
  rm -rf "$shim"
  touch "$marker"
else
  echo "ready"
fi

# Never leave a wineserver behind, even on failure.
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT

# Libraries and binaries only: the test code that runs under Wine is compiled by the test step
# below, and linting every crate's tests for Windows too (reqwest, proptest, … built once more
# for this target) cost CI minutes that the 40-minute budget does not have. The Linux run lints
# all targets.
section "clippy --workspace --lib --bins ($TARGET)"
"$CARGO" clippy "${XFLAGS[@]}" --workspace --lib --bins -- -D warnings

# Every crate that touches the OS or files runs its tests under Wine; ksana-bench, ksana-synth
# and ksana-laps are portable arithmetic and are covered by the Linux run.
section "test -p ksana-shm -p ksana-format -p ksana-sims -p ksana-engine -p ksana-store -p ksana under wine"
"$CARGO" test "${XFLAGS[@]}" --no-fail-fast -p ksana-shm -p ksana-format -p ksana-sims -p ksana-engine -p ksana-store -p ksana

section "wineserver -w"
wineserver -w
trap - EXIT

section "done"
