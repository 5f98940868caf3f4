//! Per-channel sample arrays kept in a temporary file while an export streams: MoTeC wants
//! each channel's samples contiguous, rows come frame by frame. Each channel fills a small
//! buffer ([`CHUNK`] bytes); a full buffer goes to the end of one shared temporary file and
//! only its offset is remembered. Memory is a chunk per channel plus 8 bytes per chunk
//! written, whatever the length of the input; the file is deleted when dropped.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Bytes a channel buffers before its samples go to the file.
pub const CHUNK: usize = 4096;

#[derive(Default)]
struct Track {
    buf: Vec<u8>,
    chunks: Vec<u64>,
    bytes: u64,
}

/// The temporary file and where each channel's chunks are in it.
pub struct Spill {
    file: BufWriter<File>,
    end: u64,
    tracks: Vec<Track>,
}

impl Spill {
    /// A spill for `channels` channels, its file in `dir` (the system's temporary folder
    /// when `None`).
    pub fn new(dir: Option<&Path>, channels: usize) -> io::Result<Spill> {
        let file = match dir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spill {
            file: BufWriter::with_capacity(1 << 16, file),
            end: 0,
            tracks: (0..channels).map(|_| Track::default()).collect(),
        })
    }

    /// Appends `bytes` to channel `track`'s samples.
    pub fn push(&mut self, track: usize, bytes: &[u8]) -> io::Result<()> {
        let t = &mut self.tracks[track];
        t.buf.extend_from_slice(bytes);
        t.bytes += bytes.len() as u64;
        if t.buf.len() >= CHUNK {
            self.file.write_all(&t.buf[..CHUNK])?;
            t.chunks.push(self.end);
            self.end += CHUNK as u64;
            t.buf.drain(..CHUNK);
        }
        Ok(())
    }

    /// Bytes of channel `track` so far.
    pub fn bytes(&self, track: usize) -> u64 {
        self.tracks[track].bytes
    }

    /// Writes channel `track`'s samples, in the order pushed, to `out`.
    pub fn copy_to(&mut self, track: usize, out: &mut dyn Write) -> io::Result<()> {
        self.file.flush()?;
        let mut chunk = vec![0u8; CHUNK];
        let t = &self.tracks[track];
        let f = self.file.get_mut();
        for &at in &t.chunks {
            f.seek(SeekFrom::Start(at))?;
            f.read_exact(&mut chunk)?;
            out.write_all(&chunk)?;
        }
        out.write_all(&t.buf)?;
        f.seek(SeekFrom::Start(self.end))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_channels_come_back_contiguous() {
        let mut s = Spill::new(None, 3).unwrap();
        let n = 3000u32; // several chunks per channel
        for i in 0..n {
            s.push(0, &i.to_le_bytes()).unwrap();
            s.push(1, &(i as u16).to_le_bytes()).unwrap();
            if i % 7 == 0 {
                s.push(2, &[i as u8]).unwrap();
            }
        }
        assert_eq!(s.bytes(0), 4 * u64::from(n));
        let mut out = Vec::new();
        s.copy_to(0, &mut out).unwrap();
        let back: Vec<u32> = out
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(back, (0..n).collect::<Vec<_>>());
        let mut out = Vec::new();
        s.copy_to(1, &mut out).unwrap();
        assert_eq!(out.len(), 2 * n as usize);
        assert_eq!(&out[2 * 2999..], &2999u16.to_le_bytes());
        let mut out = Vec::new();
        s.copy_to(2, &mut out).unwrap();
        let want: Vec<u8> = (0..n).filter(|i| i % 7 == 0).map(|i| i as u8).collect();
        assert_eq!(out, want);
    }
}
