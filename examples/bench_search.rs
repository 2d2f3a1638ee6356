//! Search latency, start-up included: runs `chatarchive search` as a user would, over a
//! fixed set of queries with filters, and prints the median and 95th percentile.
//!
//! Usage: `cargo run --release --example bench_search -- ARCHIVE.db [RUNS]` (build the
//! binary first with `cargo build --release`; the archive is typically made from
//! `generate_export`, whose vocabulary the queries use).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Queries with the filters people combine them with.
const QUERIES: &[&[&str]] = &[
    &["lentils"],
    &["borrow checker", "--role", "assistant"],
    &["bread dough", "--since", "2024-01-01"],
    &["iterator", "--model", "gpt-4o"],
    &["grammar tense", "--until", "2025-06-30"],
    &["garlic", "--title", "soup"],
    &["closure", "--all-branches"],
    &["oven", "--role", "user", "--since", "2023-06-01", "--until", "2026-01-01"],
    &["pronunciation", "--content-type", "text"],
    &["vocabulary accent"],
];

fn main() {
    let mut args = std::env::args().skip(1);
    let archive = args.next().expect("usage: bench_search ARCHIVE.db [RUNS]");
    let runs: usize = args.next().map_or(5, |r| r.parse().expect("RUNS is a number"));
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/chatarchive");
    let mut timings = Vec::new();
    for query in QUERIES {
        for _ in 0..runs {
            timings.push(time_search(&binary, &archive, query));
        }
    }
    timings.sort();
    let percentile = |p: f64| timings[((timings.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} searches: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        timings.len(),
        millis(percentile(0.5)),
        millis(percentile(0.95)),
        millis(percentile(1.0)),
    );
}

fn time_search(binary: &Path, archive: &str, query: &[&str]) -> Duration {
    let started = Instant::now();
    let output = Command::new(binary)
        .args(["--db", archive, "search", "--limit", "20"])
        .args(query)
        .output()
        .expect("run chatarchive");
    let elapsed = started.elapsed();
    assert!(output.status.success(), "{query:?}: {}", String::from_utf8_lossy(&output.stderr));
    elapsed
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
