//! Just enough of the zip format to read a `.npz`: the central directory, stored and deflated
//! entries. No zip64, no encryption (a file that needs them is refused by name).

use std::io::Read;

use crate::EmbedError;

struct Entry {
    name: String,
    method: u16,
    compressed: usize,
    size: usize,
    local_offset: usize,
}

/// A zip archive held in memory.
pub(crate) struct Zip<'a> {
    data: &'a [u8],
    entries: Vec<Entry>,
    name: String,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> Zip<'a> {
    /// Reads the central directory of `data`; `name` is for errors.
    pub fn new(data: &'a [u8], name: &str) -> Result<Zip<'a>, EmbedError> {
        let bad = |m: &str| EmbedError::Format { file: name.to_string(), message: m.to_string() };
        let min = data.len().saturating_sub(22 + 65_535);
        let eocd = (min..data.len().saturating_sub(21))
            .rev()
            .find(|&i| u32_at(data, i) == Some(0x0605_4b50))
            .ok_or_else(|| bad("not a zip file (no end of central directory)"))?;
        let count = usize::from(u16_at(data, eocd + 10).ok_or_else(|| bad("truncated"))?);
        let mut at = u32_at(data, eocd + 16).ok_or_else(|| bad("truncated"))? as usize;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            if u32_at(data, at) != Some(0x0201_4b50) {
                return Err(bad("broken central directory"));
            }
            let field = |off: usize| u32_at(data, at + off).ok_or_else(|| bad("truncated"));
            let short = |off: usize| {
                u16_at(data, at + off).map(usize::from).ok_or_else(|| bad("truncated"))
            };
            let (compressed, size, local_offset) = (field(20)?, field(24)?, field(42)?);
            if [compressed, size, local_offset].contains(&u32::MAX) {
                return Err(bad("zip64 entries are not supported"));
            }
            let (name_len, extra_len, comment_len) = (short(28)?, short(30)?, short(32)?);
            let entry_name =
                data.get(at + 46..at + 46 + name_len).ok_or_else(|| bad("truncated"))?;
            entries.push(Entry {
                name: String::from_utf8_lossy(entry_name).into_owned(),
                method: u16_at(data, at + 10).ok_or_else(|| bad("truncated"))?,
                compressed: compressed as usize,
                size: size as usize,
                local_offset: local_offset as usize,
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Zip { data, entries, name: name.to_string() })
    }

    /// The uncompressed bytes of entry `name`.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, EmbedError> {
        let bad =
            |m: String| EmbedError::Format { file: format!("{}:{name}", self.name), message: m };
        let e = self
            .entries
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| bad("no such entry".into()))?;
        let local = e.local_offset;
        if u32_at(self.data, local) != Some(0x0403_4b50) {
            return Err(bad("broken local header".into()));
        }
        let name_len = usize::from(u16_at(self.data, local + 26).unwrap_or(0));
        let extra_len = usize::from(u16_at(self.data, local + 28).unwrap_or(0));
        let start = local + 30 + name_len + extra_len;
        let raw =
            self.data.get(start..start + e.compressed).ok_or_else(|| bad("truncated".into()))?;
        match e.method {
            0 => Ok(raw.to_vec()),
            8 => {
                let mut out = Vec::with_capacity(e.size);
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut out)
                    .map_err(|err| bad(err.to_string()))?;
                if out.len() != e.size {
                    return Err(bad(format!(
                        "inflated to {} bytes, expected {}",
                        out.len(),
                        e.size
                    )));
                }
                Ok(out)
            }
            m => Err(bad(format!("compression method {m} is not supported"))),
        }
    }
}
