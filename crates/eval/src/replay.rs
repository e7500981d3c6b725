//! A news stream replayed from real text, for the benchmarks: 1,000 articles a day; each
//! ten-day period covers its own 103 source articles (happenings) of the 10kGNAD test split, so
//! a happening is reported for ten days and then ends. Each report keeps a deterministic ~40 %
//! of its source's sentences and appends three sentences of two other articles: real text, too
//! edited to be a copy.

/// One replayed article.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// Its id (`g{n}`).
    pub id: String,
    /// Its publication time, Unix seconds.
    pub time: i64,
    /// Its title: the first twelve words of its body.
    pub title: String,
    /// Its body.
    pub body: String,
}

fn sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(". ").filter(|s| !s.trim().is_empty()).collect()
}

/// Articles `range` of the stream, made when needed so the input does not count in the RSS.
pub fn replay(rows: &[(String, String)], range: std::ops::Range<usize>) -> Vec<Replayed> {
    let base = 1_451_606_400; // 2016-01-01T00:00:00Z
    range
        .map(|i| {
            let day = i / 1000;
            let j = (i % 103 + 103 * ((day / 10) % 10)) % rows.len();
            let k = i + 1;
            let own = sentences(&rows[j].1);
            let mut body = String::new();
            for (s, sentence) in own.iter().enumerate() {
                let keep =
                    k == 0 || xxhash_rust::xxh3::xxh3_64(format!("{k}/{s}").as_bytes()) % 10 < 4;
                if keep {
                    body.push_str(sentence);
                }
            }
            if k > 0 {
                for (o, take) in [(j * 31 + k * 17, 2), (j * 7 + k * 101, 1)] {
                    for s in sentences(&rows[o % rows.len()].1).iter().skip(1).take(take) {
                        body.push_str(s);
                    }
                }
            }
            let title: String = body.split_whitespace().take(12).collect::<Vec<_>>().join(" ");
            Replayed {
                id: format!("g{i}"),
                time: base + (i as i64 / 1000) * 86_400 + (i as i64 % 1000) * 86,
                title,
                body,
            }
        })
        .collect()
}

/// RFC 3339 of a Unix time, UTC, without a date library.
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}
