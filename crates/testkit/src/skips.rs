//! Outside CI, a suite that cannot run here (no PostgreSQL configured, no Chromium, no right to
//! mount a small disk) skips instead of failing, and libtest then counts its tests as passed.
//! So that a green run never hides that, each test binary that skipped something ends its
//! output with one line naming what it skipped and how to turn it on. In CI a skip fails.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Mutex, Once};

use crate::{POSTGRES_URL_VAR, in_ci};

/// A suite that needs something this machine may not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suite {
    Postgres,
    Browser,
    FullDisk,
}

impl Suite {
    fn describe(self) -> String {
        match self {
            Self::Postgres => format!(
                "the PostgreSQL suite (set {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres)"
            ),
            Self::Browser => {
                "the browser suite (install the Debian packages chromium and chromium-driver)"
                    .into()
            }
            Self::FullDisk => "the full-disk test (run as root, which may mount a tmpfs)".into(),
        }
    }
}

static SKIPPED: Mutex<BTreeMap<Suite, usize>> = Mutex::new(BTreeMap::new());
static REPORT_AT_EXIT: Once = Once::new();

/// Notes that a test of `suite` skipped; in CI, fails it instead (`why` says what was missing).
pub fn skip(suite: Suite, why: &str) {
    assert!(!in_ci(), "{} may not skip in CI: {why}", suite.describe());
    if let Ok(mut skipped) = SKIPPED.lock() {
        *skipped.entry(suite).or_default() += 1;
    }
    REPORT_AT_EXIT.call_once(|| {
        // SAFETY: `report` takes no arguments and cannot panic (it ignores every failure), so
        // nothing unwinds across the C boundary.
        #[allow(unsafe_code)]
        unsafe {
            libc::atexit(report);
        }
    });
}

/// Runs when the test binary exits, after libtest's summary.
extern "C" fn report() {
    let Ok(skipped) = SKIPPED.lock() else {
        return;
    };
    let tests: usize = skipped.values().sum();
    let suites: Vec<String> = skipped
        .iter()
        .map(|(suite, count)| format!("{} ×{count}", suite.describe()))
        .collect();
    let binary = std::env::args()
        .next()
        .and_then(|path| {
            std::path::Path::new(&path)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let binary = binary
        .rsplit_once('-')
        .map_or(binary.as_str(), |(name, _)| name);
    let _ = writeln!(
        std::io::stderr().lock(),
        "\nSKIPPED in {binary}: {tests} tests reported ok without running: {}\n",
        suites.join("; ")
    );
}
