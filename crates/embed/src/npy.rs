//! NumPy's `.npy` format: a magic string, a header dictionary (`descr`, `fortran_order`,
//! `shape`), then the raw little-endian array.

use crate::EmbedError;

/// An array read from a `.npy` file, C order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Array {
    pub shape: Vec<usize>,
    pub data: Data,
}

/// The element types the model files use.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U8(Vec<u8>),
    I8(Vec<i8>),
}

fn field<'h>(header: &'h str, key: &str) -> Option<&'h str> {
    let at = header.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
    if let Some(inner) = rest.strip_prefix('(') {
        return inner.split(')').next();
    }
    if let Some(inner) = rest.strip_prefix('\'') {
        return inner.split('\'').next();
    }
    rest.split([',', '}']).next().map(str::trim)
}

/// Parses one `.npy` file; `name` is for errors.
pub(crate) fn parse(bytes: &[u8], name: &str) -> Result<Array, EmbedError> {
    let bad = |m: String| EmbedError::Format { file: name.to_string(), message: m };
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("not a .npy array".into()));
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => {
            (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
        }
        v => return Err(bad(format!(".npy version {v} is not supported"))),
    };
    let header = std::str::from_utf8(
        bytes.get(start..start + header_len).ok_or_else(|| bad("truncated header".into()))?,
    )
    .map_err(|_| bad("header is not text".into()))?;
    if field(header, "fortran_order") != Some("False") {
        return Err(bad("Fortran-order arrays are not supported".into()));
    }
    let descr = field(header, "descr").ok_or_else(|| bad("no descr".into()))?;
    let shape_text = field(header, "shape").ok_or_else(|| bad("no shape".into()))?;
    let shape: Vec<usize> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| bad(format!("bad shape {shape_text:?}"))))
        .collect::<Result<_, _>>()?;
    let count: usize = shape.iter().product();
    let body = &bytes[start + header_len..];
    let need = |width: usize| {
        if body.len() == count * width {
            Ok(())
        } else {
            Err(bad(format!("{} bytes of data for shape {shape:?} of {descr}", body.len())))
        }
    };
    let data = match descr {
        "<f4" => {
            need(4)?;
            Data::F32(
                body.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
            )
        }
        "<f8" => {
            need(8)?;
            Data::F64(
                body.chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
            )
        }
        "|u1" => {
            need(1)?;
            Data::U8(body.to_vec())
        }
        "|i1" => {
            need(1)?;
            Data::I8(body.iter().map(|b| *b as i8).collect())
        }
        other => return Err(bad(format!("element type {other:?} is not supported"))),
    };
    Ok(Array { shape, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, shape: &str, body: &[u8]) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({shape}), }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn reads_float_and_byte_arrays_of_any_rank() {
        let body: Vec<u8> =
            [1.5f32, -2.0, 0.25, 4.0, 5.0, 6.0].iter().flat_map(|f| f.to_le_bytes()).collect();
        let a = parse(&npy("<f4", "2, 3", &body), "t").unwrap();
        assert_eq!(a.shape, [2, 3]);
        assert_eq!(a.data, Data::F32(vec![1.5, -2.0, 0.25, 4.0, 5.0, 6.0]));
        let s = parse(&npy("<f8", "", &1e-6f64.to_le_bytes()), "t").unwrap();
        assert_eq!((s.shape.len(), s.data), (0, Data::F64(vec![1e-6])));
        let u = parse(&npy("|u1", "3,", &[0, 63, 255]), "t").unwrap();
        assert_eq!(u.data, Data::U8(vec![0, 63, 255]));
    }

    #[test]
    fn wrong_sizes_and_types_are_named_errors() {
        let err = parse(&npy("<f4", "2,", &[0; 4]), "w.npy").unwrap_err().to_string();
        assert!(err.contains("w.npy") && err.contains("4 bytes"), "{err}");
        assert!(parse(&npy("<c8", "1,", &[0; 8]), "t").is_err());
        assert!(parse(b"PK\x03\x04", "t").is_err());
    }
}
