//! Registered window messages broadcast to every top-level window of the desktop (Windows
//! only): how sims take remote-control commands from tools (iRacing's `IRSDK_BROADCASTMSG`).
//! Sim-neutral: callers give the message name and interpret `(wparam, lparam)` themselves.
//!
//! Receiving needs a hidden **top-level** window (message-only windows do not receive
//! `HWND_BROADCAST`), owned by its own thread with a message loop; [`MessageListener`] runs one.

use std::cell::RefCell;
use std::sync::mpsc;
use std::thread::JoinHandle;

use windows_sys::Win32::Foundation::{
    ERROR_CLASS_ALREADY_EXISTS, HINSTANCE, HWND, LPARAM, LRESULT, WPARAM,
};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DestroyWindow, DispatchMessageW, GetMessageW, HWND_BROADCAST,
    MSG, PostMessageW, PostQuitMessage, RegisterClassW, RegisterWindowMessageW, SendNotifyMessageW,
    WM_CLOSE, WM_DESTROY, WNDCLASSW, WS_OVERLAPPEDWINDOW,
};

use crate::error::{Result, ShmError};
use crate::sys::{last_error, wide};

const TARGET: &str = "window message";

fn err(op: &'static str, name: &str, source: std::io::Error) -> ShmError {
    ShmError::Os {
        op,
        name: name.to_owned(),
        target: TARGET.to_owned(),
        source,
    }
}

/// The id of the window message registered under `name` (`RegisterWindowMessageW`): the same
/// number in every process of the desktop session, ≥ 0xC000.
pub fn register_window_message(name: &str) -> Result<u32> {
    let w = wide(name);
    // SAFETY: `w` is a NUL-terminated UTF-16 string that outlives the call.
    let id = unsafe { RegisterWindowMessageW(w.as_ptr()) };
    if id == 0 {
        return Err(err("RegisterWindowMessageW", name, last_error()));
    }
    Ok(id)
}

/// Sends the registered message `name` to every top-level window without waiting for them
/// (`SendNotifyMessageW(HWND_BROADCAST, …)`, as the iRacing SDK does).
pub fn broadcast_message(name: &str, wparam: usize, lparam: isize) -> Result<()> {
    let id = register_window_message(name)?;
    // SAFETY: plain value arguments; HWND_BROADCAST is a documented pseudo-handle.
    let ok = unsafe { SendNotifyMessageW(HWND_BROADCAST, id, wparam, lparam) };
    if ok == 0 {
        return Err(err("SendNotifyMessageW", name, last_error()));
    }
    Ok(())
}

/// Where a listener window sends what it hears: its message id and channel.
type Sink = Option<(u32, mpsc::Sender<(usize, isize)>)>;

// The listener window's sink; each listener thread owns one window.
thread_local! {
    // Clippy 1.96 asks for `const { }` here even though the initializer has it.
    #[allow(clippy::missing_const_for_thread_local)]
    static SINK: RefCell<Sink> = const { RefCell::new(None) };
}

/// Window procedure of listener windows: forwards the registered message, defaults the rest.
unsafe extern "system" fn wndproc(hwnd: HWND, msg: u32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    let forwarded = SINK.with(|s| match &*s.borrow() {
        Some((id, tx)) if *id == msg => {
            let _ = tx.send((wparam, lparam));
            true
        }
        _ => false,
    });
    if forwarded {
        return 0;
    }
    if msg == WM_DESTROY {
        // SAFETY: called on the thread that owns the message loop.
        unsafe { PostQuitMessage(0) };
        return 0;
    }
    // SAFETY: the arguments are the ones Windows passed to this window procedure.
    unsafe { DefWindowProcW(hwnd, msg, wparam, lparam) }
}

/// A hidden top-level window on its own thread that receives one registered message sent to
/// `HWND_BROADCAST` and forwards each `(wparam, lparam)` on a channel. Closed on drop.
#[derive(Debug)]
pub struct MessageListener {
    name: String,
    hwnd: isize,
    thread: Option<JoinHandle<()>>,
}

impl MessageListener {
    /// Registers `name`, creates the window and starts its message loop; the receiver gets
    /// every message from then on until the listener is dropped.
    pub fn start(name: &str) -> Result<(MessageListener, mpsc::Receiver<(usize, isize)>)> {
        let id = register_window_message(name)?;
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<isize>>();
        let owned = name.to_owned();
        let thread = std::thread::Builder::new()
            .name("ksana-winmsg".into())
            .spawn(move || message_loop(&owned, id, tx, ready_tx))
            .map_err(|e| err("spawn listener thread", name, e))?;
        let hwnd = match ready_rx.recv() {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(err(
                    "CreateWindowExW",
                    name,
                    std::io::Error::other("listener thread ended before its window existed"),
                ));
            }
        };
        Ok((
            MessageListener {
                name: name.to_owned(),
                hwnd,
                thread: Some(thread),
            },
            rx,
        ))
    }

    /// The registered message name listened for.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for MessageListener {
    fn drop(&mut self) {
        // SAFETY: posting to a window handle is safe even if the window is already gone (the
        // call then fails); WM_CLOSE makes DefWindowProc destroy it on its own thread.
        let posted = unsafe { PostMessageW(self.hwnd as HWND, WM_CLOSE, 0, 0) };
        if posted != 0
            && let Some(t) = self.thread.take()
        {
            let _ = t.join();
        }
    }
}

/// The window class of listener windows.
const CLASS_NAME: &str = "ksana-broadcast-listener";

/// Serializes class registration and window creation: listeners start on several threads at
/// once (tests), and under Wine a window created while another thread registered the class
/// failed with "class does not exist". Registering right before each creation, under this
/// lock, also survives a class that went away with an earlier listener's thread.
static CREATE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Registers the listener window class (an existing registration is fine).
fn register_class(instance: HINSTANCE) -> std::io::Result<()> {
    let class = wide(CLASS_NAME);
    let wc = WNDCLASSW {
        style: 0,
        lpfnWndProc: Some(wndproc),
        cbClsExtra: 0,
        cbWndExtra: 0,
        hInstance: instance,
        hIcon: std::ptr::null_mut(),
        hCursor: std::ptr::null_mut(),
        hbrBackground: std::ptr::null_mut(),
        lpszMenuName: std::ptr::null(),
        lpszClassName: class.as_ptr(),
    };
    // SAFETY: `wc` and the class name it points to outlive the call.
    if unsafe { RegisterClassW(&wc) } == 0 {
        let e = last_error();
        if e.raw_os_error() != Some(ERROR_CLASS_ALREADY_EXISTS as i32) {
            return Err(e);
        }
    }
    Ok(())
}

fn message_loop(
    name: &str,
    id: u32,
    tx: mpsc::Sender<(usize, isize)>,
    ready: mpsc::Sender<Result<isize>>,
) {
    let class = wide(CLASS_NAME);
    let title = wide(name);
    // SAFETY: a null module name asks for the executable's own module handle.
    let instance = unsafe { GetModuleHandleW(std::ptr::null()) };
    SINK.with(|s| *s.borrow_mut() = Some((id, tx)));
    let guard = CREATE.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = register_class(instance) {
        let _ = ready.send(Err(err("RegisterClassW", name, e)));
        return;
    }
    // SAFETY: the class was registered above (or earlier in this process); the strings outlive
    // the call; no parent (a top-level window) and no creation parameter. Not made visible.
    let hwnd = unsafe {
        CreateWindowExW(
            0,
            class.as_ptr(),
            title.as_ptr(),
            WS_OVERLAPPEDWINDOW,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if hwnd.is_null() {
        let _ = ready.send(Err(err("CreateWindowExW", name, last_error())));
        return;
    }
    drop(guard);
    if ready.send(Ok(hwnd as isize)).is_err() {
        // SAFETY: `hwnd` is this thread's own window.
        unsafe { DestroyWindow(hwnd) };
        return;
    }
    // SAFETY: MSG is plain data for which all-zero bytes are a valid value.
    let mut msg: MSG = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `msg` is a valid out-pointer; null hwnd = every message of this thread.
        let r = unsafe { GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) };
        if r == 0 || r == -1 {
            break;
        }
        // SAFETY: `msg` was filled by GetMessageW.
        unsafe { DispatchMessageW(&msg) };
    }
    SINK.with(|s| *s.borrow_mut() = None);
}
