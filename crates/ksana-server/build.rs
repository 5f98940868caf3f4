//! Rebuilds the crate when a file of the embedded web UI (`ui/`) changes: `include_dir!` reads
//! the folder inside a macro, which cargo does not track on its own, so without this an edited
//! page would keep being served from the old build.

fn main() {
    println!("cargo:rerun-if-changed=ui");
}
