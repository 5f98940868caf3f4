//! The ksana recording format: racing-sim telemetry frames, deduplicated, transformed,
//! compressed in self-contained checksummed chunks, indexed for seeking, and readable after a
//! crash up to the last complete chunk. It knows nothing of sims: a recording is a list of
//! named pages of bytes and the frames at which they changed. The byte layout is specified in
//! `docs/FORMAT.md`.
//!
//! Write with [`Writer`], read with [`Recording`]:
//!
//! ```
//! use ksana_format::{FieldKind, Header, Marker, MarkerKind, PageSpec, PageUpdate, Recording, Writer, WriterOptions};
//!
//! // A page of two f32 fields, declared with a field map so the codec can predict them.
//! let page = PageSpec::new("physics", 8).with_fields(vec![(FieldKind::F32, 2)]);
//! let mut header = Header::new("demo", vec![page]);
//! header.metadata.push(("track".into(), "monza".into()));
//! let mut w = Writer::new(Vec::new(), header, WriterOptions::default())?;
//! for i in 0..1000u64 {
//!     let speed = 50.0f32 + (i as f32 * 0.01).sin();
//!     let mut bytes = speed.to_le_bytes().to_vec();
//!     bytes.extend_from_slice(&(i as f32).to_le_bytes());
//!     if i == 500 {
//!         w.add_marker(Marker::new(i * 3_000_000, MarkerKind::LapStart, "2"))?;
//!     }
//!     w.write_frame(i * 3_000_000, Some(i), &[PageUpdate { page: 0, data: &bytes }])?;
//! }
//! let bytes = w.finish()?;
//!
//! let rec = Recording::from_bytes(bytes)?;
//! assert_eq!(rec.header().meta("track"), Some("monza"));
//! assert_eq!(rec.markers()[0].kind, MarkerKind::LapStart);
//! let mut frames = rec.frames();
//! frames.seek(rec.markers()[0].timestamp_ns)?;
//! let f = frames.next_frame()?.expect("a frame at the lap marker");
//! assert_eq!(f.tick(), Some(500));
//! assert_eq!(f.page(0).len(), 8);
//! # Ok::<(), ksana_format::Error>(())
//! ```

mod block;
mod codec;
mod compact;
mod error;
mod header;
mod inspect;
mod marker;
mod page;
mod reader;
mod source;
mod wire;
mod writer;

pub use block::{MAGIC, VERSION_MAJOR, VERSION_MINOR};
pub use codec::chunk::{MAX_CHUNK_FRAMES, MAX_PAGE_BYTES, MAX_PAGES, MAX_PAYLOAD_BYTES};
pub use compact::{CompactOptions, CompactReport, compact_file};
pub use error::{Error, ErrorKind, Result};
pub use header::{ChunkInfo, Header};
pub use inspect::{Gap, Inspection, Rates, inspect};
pub use marker::{Marker, MarkerKind};
pub use page::{FieldKind, FieldRuns, PageSpec, merge_runs};
pub use reader::{Damage, Frame, FrameRef, Frames, IndexSource, ReadOptions, Recording, Segment};
pub use source::{FileSource, Source};
pub use writer::{Closed, PageUpdate, Sink, Writer, WriterOptions};
