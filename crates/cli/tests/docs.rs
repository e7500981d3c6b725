//! The docs' relative links point at files that exist (a moved file breaks a newcomer's map).

use std::path::Path;

#[test]
fn relative_links_in_docs_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let re_start = "](";
    let mut checked = 0;
    for doc in [
        "README.md",
        "CONTRIBUTING.md",
        "docs/ARCHITECTURE.md",
        "docs/BENCHMARKS.md",
        "docs/EVALUATION.md",
        "docs/TESTING.md",
    ] {
        let path = root.join(doc);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
        for (i, _) in text.match_indices(re_start) {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = rest[..end].split('#').next().unwrap_or("");
            if target.is_empty() || target.contains("://") {
                continue;
            }
            let resolved = path.parent().unwrap().join(target);
            assert!(resolved.exists(), "{doc} links to {target}, which does not exist");
            checked += 1;
        }
    }
    assert!(checked >= 5, "expected the docs to link to each other; checked {checked}");
}
