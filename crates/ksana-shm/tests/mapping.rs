//! Mapping behaviour. Every test uses a private root (Linux) and process-unique names (Windows/Wine,
//! where all tests share one kernel namespace), so tests run in parallel.

use ksana_shm::{Created, Mapping, ShmError, ShmNamespace};
use tempfile::TempDir;

fn ns() -> (TempDir, ShmNamespace) {
    let dir = tempfile::tempdir().unwrap();
    let ns = ShmNamespace::with_root(dir.path());
    (dir, ns)
}

fn uniq(tag: &str) -> String {
    format!("Local\\ksana-test-{}-{tag}", std::process::id())
}

#[test]
fn open_missing_is_none() {
    let (_d, ns) = ns();
    let name = uniq("missing");
    assert!(Mapping::open_read(&ns, &name).unwrap().is_none());
    assert!(!Mapping::exists(&ns, &name));
    assert_eq!(Mapping::size_of_existing(&ns, &name).unwrap(), None);
}

#[test]
fn create_then_open_read_sees_writes() {
    let (_d, ns) = ns();
    let name = uniq("rw");
    let (w, created) = Mapping::open_or_create(&ns, &name, 2048).unwrap();
    assert_eq!(created, Created::New);
    assert_eq!(w.len(), 2048);
    assert_eq!(w.name(), name);
    assert!(w.is_writable());
    assert_eq!(
        w.read_vec(0, 16).unwrap(),
        vec![0; 16],
        "new mapping is zero-filled"
    );

    let r = Mapping::open_read(&ns, &name).unwrap().expect("exists");
    assert!(!r.is_writable());
    assert!(r.len() >= 2048);
    assert!(Mapping::exists(&ns, &name));
    assert!(Mapping::size_of_existing(&ns, &name).unwrap().unwrap() >= 2048);

    w.write(100, b"hello").unwrap();
    assert_eq!(r.read_vec(100, 5).unwrap(), b"hello");
    w.write(2044, &0xDEAD_BEEFu32.to_le_bytes()).unwrap();
    assert_eq!(r.read_u32_le(2044).unwrap(), 0xDEAD_BEEF);
    w.write(8, &(-5i32).to_le_bytes()).unwrap();
    assert_eq!(r.read_i32_le(8).unwrap(), -5);
    w.store_i32_release(12, 42).unwrap();
    assert_eq!(r.load_i32_acquire(12).unwrap(), 42);
    let mut buf = [0u8; 5];
    r.read(100, &mut buf).unwrap();
    assert_eq!(&buf, b"hello");

    // A second read-write handle sees the same bytes and reports Existing.
    let (w2, created) = Mapping::open_or_create(&ns, &name, 2048).unwrap();
    assert_eq!(created, Created::Existing);
    assert_eq!(w2.read_vec(100, 5).unwrap(), b"hello");
}

#[test]
fn read_only_handle_rejects_writes() {
    let (_d, ns) = ns();
    let name = uniq("ro");
    let (_w, _) = Mapping::open_or_create(&ns, &name, 64).unwrap();
    let r = Mapping::open_read(&ns, &name).unwrap().unwrap();
    assert!(matches!(r.write(0, b"x"), Err(ShmError::ReadOnly { .. })));
    assert!(matches!(
        r.store_i32_release(0, 1),
        Err(ShmError::ReadOnly { .. })
    ));
}

#[test]
fn out_of_range_is_an_error_not_a_panic() {
    let (_d, ns) = ns();
    let name = uniq("oob");
    let (m, _) = Mapping::open_or_create(&ns, &name, 2048).unwrap();
    let len = m.len();
    let mut four = [0u8; 4];
    assert!(matches!(
        m.read(len - 2, &mut four),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.read(usize::MAX, &mut four),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.read_vec(0, usize::MAX),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.read_u32_le(len),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.write(len, b"x"),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.load_i32_acquire(len),
        Err(ShmError::OutOfRange { .. })
    ));
    assert!(matches!(
        m.load_i32_acquire(2),
        Err(ShmError::Misaligned { .. })
    ));
    assert!(matches!(
        m.store_i32_release(6, 1),
        Err(ShmError::Misaligned { .. })
    ));
    // Edges that are in range.
    m.read(len - 4, &mut four).unwrap();
    m.read(len, &mut []).unwrap();
    m.write(len - 1, b"z").unwrap();
    let err = m.read_vec(len, 1).unwrap_err();
    assert!(
        err.to_string().contains("oob"),
        "error names the mapping: {err}"
    );
}

#[test]
fn zero_size_and_bad_names_are_rejected() {
    let (_d, ns) = ns();
    assert!(matches!(
        Mapping::open_or_create(&ns, &uniq("zero"), 0),
        Err(ShmError::InvalidSize { .. })
    ));
    for bad in [
        "",
        "Local\\",
        "a/b",
        "Local\\a\\b",
        "..",
        "Local\\..",
        "nul\0",
    ] {
        assert!(
            matches!(
                Mapping::open_or_create(&ns, bad, 16),
                Err(ShmError::InvalidName { .. })
            ),
            "{bad:?}"
        );
        assert!(matches!(
            Mapping::open_read(&ns, bad),
            Err(ShmError::InvalidName { .. })
        ));
        assert!(!Mapping::exists(&ns, bad));
    }
}

#[cfg(windows)]
#[test]
fn windows_existing_mapping_keeps_its_size() {
    let (_d, ns) = ns();
    let big = uniq("keep-big");
    let (_a, _) = Mapping::open_or_create(&ns, &big, 8192).unwrap();
    let (b, created) = Mapping::open_or_create(&ns, &big, 2048).unwrap();
    assert_eq!(created, Created::Existing);
    assert_eq!(b.len(), 8192, "never shrinks");

    let small = uniq("keep-small");
    let (_c, _) = Mapping::open_or_create(&ns, &small, 1000).unwrap();
    let (d, created) = Mapping::open_or_create(&ns, &small, 2048).unwrap();
    assert_eq!(created, Created::Existing);
    // Sections cannot grow; the view is the page-rounded section size.
    assert_eq!(d.len(), 4096);
}

#[cfg(unix)]
mod linux {
    use super::*;
    use std::fs;

    #[test]
    fn local_prefix_maps_to_file_under_root() {
        let (d, ns) = ns();
        let (m, _) = Mapping::open_or_create(&ns, "Local\\$R3E", 64).unwrap();
        assert_eq!(m.name(), "Local\\$R3E");
        let path = d.path().join("$R3E");
        assert_eq!(ns.path_of("Local\\$R3E").unwrap(), path);
        assert_eq!(fs::metadata(&path).unwrap().len(), 64);
        m.write(0, b"R3E").unwrap();
        assert_eq!(&fs::read(&path).unwrap()[..3], b"R3E");
        // The bare name and the Global\ spelling are the same file.
        let r = Mapping::open_read(&ns, "$R3E").unwrap().unwrap();
        assert_eq!(r.read_vec(0, 3).unwrap(), b"R3E");
        assert!(Mapping::exists(&ns, "Global\\$R3E"));
        assert!(!Mapping::exists(&ns, "Local\\$r3e"), "case is kept");
    }

    #[test]
    fn never_shrinks() {
        let (d, ns) = ns();
        let path = d.path().join("acpmf_physics");
        let mut content = vec![0u8; 4096];
        content[4000] = 7;
        fs::write(&path, &content).unwrap();
        let (m, created) = Mapping::open_or_create(&ns, "Local\\acpmf_physics", 2048).unwrap();
        assert_eq!(created, Created::Existing);
        assert_eq!(m.len(), 4096);
        assert_eq!(fs::metadata(&path).unwrap().len(), 4096);
        assert_eq!(m.read_vec(4000, 1).unwrap(), [7]);
        assert_eq!(
            Mapping::size_of_existing(&ns, "acpmf_physics").unwrap(),
            Some(4096)
        );
    }

    #[test]
    fn grows_smaller_file_and_keeps_contents() {
        let (d, ns) = ns();
        let path = d.path().join("acpmf_graphics");
        fs::write(&path, vec![9u8; 1000]).unwrap();
        let (m, created) = Mapping::open_or_create(&ns, "acpmf_graphics", 2048).unwrap();
        assert_eq!(created, Created::Existing);
        assert_eq!(m.len(), 2048);
        assert_eq!(fs::metadata(&path).unwrap().len(), 2048);
        assert_eq!(m.read_vec(998, 4).unwrap(), [9, 9, 0, 0]);
        m.write(2047, b"x").unwrap();
    }

    #[test]
    fn zero_length_file() {
        let (d, ns) = ns();
        fs::write(d.path().join("empty"), b"").unwrap();
        let m = Mapping::open_read(&ns, "empty").unwrap().expect("exists");
        assert!(m.is_empty());
        assert_eq!(m.len(), 0);
        assert!(matches!(m.read_vec(0, 1), Err(ShmError::OutOfRange { .. })));
        assert!(matches!(
            m.load_i32_acquire(0),
            Err(ShmError::OutOfRange { .. })
        ));
        assert_eq!(m.read_vec(0, 0).unwrap(), Vec::<u8>::new());
        assert_eq!(Mapping::size_of_existing(&ns, "empty").unwrap(), Some(0));
        assert!(Mapping::exists(&ns, "empty"));
        // A player opening it sizes it.
        let (w, created) = Mapping::open_or_create(&ns, "empty", 16).unwrap();
        assert_eq!(created, Created::Existing);
        assert_eq!(w.len(), 16);
        // The old zero-length view stays harmless.
        assert!(m.read_vec(0, 1).is_err());
    }

    #[test]
    fn directory_is_not_a_mapping() {
        let (d, ns) = ns();
        fs::create_dir(d.path().join("dir")).unwrap();
        assert!(matches!(
            Mapping::open_read(&ns, "dir"),
            Err(ShmError::NotAFile { .. })
        ));
        assert!(matches!(
            Mapping::size_of_existing(&ns, "dir"),
            Err(ShmError::NotAFile { .. })
        ));
        assert!(!Mapping::exists(&ns, "dir"));
    }

    #[test]
    fn missing_root_is_an_os_error() {
        let (d, _) = ns();
        let ns = ShmNamespace::with_root(d.path().join("nope"));
        let err = Mapping::open_or_create(&ns, "x", 16).unwrap_err();
        assert!(matches!(err, ShmError::Os { .. }), "{err}");
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(Mapping::open_read(&ns, "x").unwrap().is_none());
    }
}
