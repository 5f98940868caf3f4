//! The names of running processes, for sims whose shared memory alone does not say which game
//! publishes it (AC, ACC and AC Rally share their page names).

/// Executable names of the processes running now (e.g. `AC2-Win64-Shipping.exe`), from a
/// toolhelp snapshot. Windows only: `None` on other systems, and when the snapshot fails.
#[cfg(windows)]
pub fn process_names() -> Option<Vec<String>> {
    use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW,
        TH32CS_SNAPPROCESS,
    };
    // SAFETY: plain call with constant flags; the returned handle is checked and closed below.
    let snap = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    if snap == INVALID_HANDLE_VALUE || snap.is_null() {
        return None;
    }
    // SAFETY: PROCESSENTRY32W is a plain C struct of integers and arrays; all-zero is valid.
    let mut entry: PROCESSENTRY32W = unsafe { std::mem::zeroed() };
    entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
    let mut names = Vec::new();
    // SAFETY: `snap` is a live snapshot handle and `entry` a writable struct whose dwSize is set.
    let mut ok = unsafe { Process32FirstW(snap, &mut entry) } != 0;
    while ok {
        let exe = &entry.szExeFile;
        let len = exe.iter().position(|&c| c == 0).unwrap_or(exe.len());
        names.push(String::from_utf16_lossy(&exe[..len]));
        // SAFETY: as for Process32FirstW.
        ok = unsafe { Process32NextW(snap, &mut entry) } != 0;
    }
    // SAFETY: `snap` came from CreateToolhelp32Snapshot and is closed exactly once.
    unsafe { CloseHandle(snap) };
    Some(names)
}

/// Executable names of the processes running now: not available on this system (`None`).
#[cfg(not(windows))]
pub fn process_names() -> Option<Vec<String>> {
    None
}
