//! `--feedback-import ROWS`: feedback imported from CSV into a server holding the generated data
//! set, as `cocreate feedback import` does it: a file of ROWS / 10 rows, then one of ROWS rows
//! (rows per second, and how far the process's peak memory rose during each: about the same
//! for both when the import streams), then the large file again (every row known, nothing
//! added), with the products' counts checked exact; then an mbox of MAIL_MESSAGES messages.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use cocreate_app::{App, ColumnMapping, FeedbackImport, ImportFormat, MailFile, MailImport};

use crate::{BackendChoice, Served, Target, all_met, write_targets};

/// One row in this many of the large file has a rating out of range, to be refused.
const REFUSED_EVERY: usize = 10_000;
/// Messages in the mbox.
const MAIL_MESSAGES: usize = 10_000;
/// Rows per second wanted from the large file on SQLite.
const SQLITE_ROWS_PER_SECOND: f64 = 50_000.0;
/// How much more the large file's import may raise peak memory than the small file's did.
const MEMORY_SLACK: u64 = 16 << 20;
/// Distinct people answering the survey; each comes back as the same contact.
const RESPONDENTS: usize = 100_000;

const THINGS: [&str; 7] = ["zip", "pole", "strap", "lid", "handle", "buckle", "hood"];
const TROUBLES: [&str; 5] = [
    "sticks",
    "bends in the wind",
    "feels cheap",
    "is hard to reach",
    "squeaks",
];
const WHEN: [&str; 6] = [
    "in the rain",
    "after a week",
    "with gloves on",
    "on the first day",
    "in the cold",
    "every single time",
];

/// One import of a file and what it cost.
struct ImportRun {
    name: String,
    rows: u64,
    imported: u64,
    already_imported: u64,
    refused: u64,
    ignored: u64,
    elapsed: Duration,
    /// How far the process's peak resident memory rose above its resident memory at the start.
    memory_rise: u64,
}

impl ImportRun {
    fn per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64()
    }
}

pub(crate) struct FeedbackImportReport {
    backend: BackendChoice,
    ideas: usize,
    /// The small file, the large one, the large one again, the mbox.
    runs: [ImportRun; 4],
    large_rows: usize,
    /// Feedback the products counted afterwards beyond what they held before.
    counted: i64,
    miscounted_products: i64,
}

pub(crate) async fn feedback_import(
    args: &crate::Args,
    backend: BackendChoice,
    rows: usize,
) -> anyhow::Result<FeedbackImportReport> {
    let served = Served::start(args, backend, args.ideas).await?;
    let app = served.app.clone();
    let space = crate::first_space(&app).await?;
    let space_id = app
        .store()
        .space_by_slug(&space)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("no generated space")?
        .id;
    let products = app
        .store()
        .products_of_space(space_id)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let slugs: Vec<&str> = products.iter().map(|p| p.slug.as_str()).collect();
    if slugs.is_empty() {
        bail!("the generated space has no products");
    }
    let counted_before: i64 = products.iter().map(|p| p.feedback_count).sum();
    let files = tempfile::tempdir()?;
    let small = files.path().join("survey-small.csv");
    let large = files.path().join("survey-large.csv");
    let mbox = files.path().join("feedback.mbox");
    write_survey(&small, rows / 10, 0, &slugs)?;
    write_survey(&large, rows, rows / 10, &slugs)?;
    write_mbox(&mbox, MAIL_MESSAGES, slugs[0])?;
    eprintln!("{backend:?}: files written; importing");
    let runs = [
        import_file(&app, &small, "small file").await?,
        import_file(&app, &large, "large file").await?,
        import_file(&app, &large, "large file again").await?,
        import_mbox(&app, &mbox).await?,
    ];
    let after: i64 = app
        .store()
        .products_of_space(space_id)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .iter()
        .map(|p| p.feedback_count)
        .sum();
    let miscounted_products = app
        .store()
        .miscounted_products()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    served.stop().await?;
    Ok(FeedbackImportReport {
        backend,
        ideas: args.ideas,
        runs,
        large_rows: rows,
        counted: after - counted_before,
        miscounted_products,
    })
}

/// A survey export of `rows` answers with ids from `first_id`: every answer names its product,
/// respondent, time and rating; one in `REFUSED_EVERY` has a rating out of range.
fn write_survey(path: &Path, rows: usize, first_id: usize, slugs: &[&str]) -> anyhow::Result<()> {
    let mut file = BufWriter::new(std::fs::File::create(path)?);
    writeln!(file, "id,text,rating,product,email,created_at")?;
    for n in first_id..first_id + rows {
        let rating = if n % REFUSED_EVERY == REFUSED_EVERY - 1 {
            7
        } else {
            1 + n % 5
        };
        writeln!(
            file,
            "R{n},\"Answer {n}: the {} {} {}, as I said before.\",{rating},{},respondent{}@survey.bench.example,2025-{:02}-{:02} {:02}:{:02}:00",
            THINGS[n % THINGS.len()],
            TROUBLES[n / 7 % TROUBLES.len()],
            WHEN[n / 35 % WHEN.len()],
            slugs[n % slugs.len()],
            n % RESPONDENTS,
            1 + n % 12,
            1 + n % 28,
            n % 24,
            n % 60,
        )?;
    }
    file.flush()?;
    Ok(())
}

/// An mbox of `messages` mails to the feedback address of `slug`, each quoting an earlier
/// message and signed, one in ten an automatic reply.
fn write_mbox(path: &Path, messages: usize, slug: &str) -> anyhow::Result<()> {
    let mut file = BufWriter::new(std::fs::File::create(path)?);
    for n in 0..messages {
        let auto = if n % 10 == 9 {
            "Auto-Submitted: auto-replied\n"
        } else {
            ""
        };
        write!(
            file,
            "From writer{n}@mail.bench.example Mon Dec  1 09:00:00 2025\n\
             From: Writer {n} <writer{n}@mail.bench.example>\n\
             To: feedback+{slug}@example.org\n\
             Subject: The {} {}\n\
             Message-ID: <m{n}@mail.bench.example>\n\
             Date: Mon, 1 Dec 2025 09:00:00 +0000\n\
             {auto}Content-Type: text/plain; charset=utf-8\n\n\
             The {} {} {}.\n\n\
             On Sun, 30 Nov 2025, Support wrote:\n\
             > Tell us how it went.\n\n\
             -- \nWriter {n}\n\n",
            THINGS[n % THINGS.len()],
            TROUBLES[n / 7 % TROUBLES.len()],
            THINGS[n % THINGS.len()],
            TROUBLES[n / 7 % TROUBLES.len()],
            WHEN[n / 35 % WHEN.len()],
        )?;
    }
    file.flush()?;
    Ok(())
}

async fn import_file(app: &App, path: &Path, name: &str) -> anyhow::Result<ImportRun> {
    let import = FeedbackImport {
        format: ImportFormat::parse("csv", None).map_err(|e| anyhow!("{e}"))?,
        columns: ColumnMapping::default(),
        product: None,
        dry_run: false,
    };
    let file = std::fs::File::open(path)?;
    measured(name, async {
        app.import_feedback(None, file, &import)
            .await
            .map_err(|e| anyhow!("{e}"))
    })
    .await
}

async fn import_mbox(app: &App, path: &Path) -> anyhow::Result<ImportRun> {
    let file = MailFile {
        name: "feedback.mbox".to_owned(),
        reader: Box::new(std::fs::File::open(path)?),
    };
    let import = MailImport {
        product: None,
        dry_run: false,
    };
    measured(
        &format!("mbox of {MAIL_MESSAGES} messages"),
        app.import_mail(None, vec![file], &import),
    )
    .await
}

/// Runs one import, timing it and watching the process's peak memory.
async fn measured<E: std::fmt::Display>(
    name: &str,
    import: impl Future<Output = Result<cocreate_app::ImportReport, E>>,
) -> anyhow::Result<ImportRun> {
    // Writing 5 to clear_refs resets the peak (VmHWM) to what is resident now.
    std::fs::write("/proc/self/clear_refs", "5")
        .context("resetting the peak memory needs Linux's /proc/self/clear_refs")?;
    let resident = memory("VmRSS")?;
    let started = Instant::now();
    let report = import
        .await
        .map_err(|e| anyhow!("importing the {name}: {e}"))?;
    let elapsed = started.elapsed();
    let peak = memory("VmHWM")?;
    eprintln!(
        "  {name}: {} rows in {:.1} s",
        report.rows,
        elapsed.as_secs_f64()
    );
    Ok(ImportRun {
        name: name.to_owned(),
        rows: report.rows,
        imported: report.imported,
        already_imported: report.already_imported,
        refused: report.refused,
        ignored: report.ignored,
        elapsed,
        memory_rise: peak.saturating_sub(resident),
    })
}

/// A figure of /proc/self/status, in bytes.
fn memory(key: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .with_context(|| format!("/proc/self/status has no {key}"))?;
    Ok(kib * 1024)
}

impl FeedbackImportReport {
    fn targets(&self) -> Vec<Target> {
        let [small, large, again, mail] = &self.runs;
        let rows = self.large_rows as u64;
        let refused = rows / REFUSED_EVERY as u64;
        let mut targets = vec![
            (
                "rows of the large file imported and refused".into(),
                format!("{} imported, {} refused", large.imported, large.refused),
                format!("{}, {refused}", rows - refused),
                large.imported == rows - refused && large.refused == refused,
            ),
            (
                "the large file imported again".into(),
                format!(
                    "{} imported, {} known",
                    again.imported, again.already_imported
                ),
                format!("0, {}", rows - refused),
                again.imported == 0 && again.already_imported == rows - refused,
            ),
            (
                "feedback counted on the products afterwards".into(),
                format!(
                    "{} counted, {} miscounted products",
                    self.counted, self.miscounted_products
                ),
                format!("{}, 0", small.imported + large.imported + mail.imported),
                u64::try_from(self.counted).ok()
                    == Some(small.imported + large.imported + mail.imported)
                    && self.miscounted_products == 0,
            ),
            (
                "peak memory rise: large file against small file".into(),
                format!(
                    "{:.1} MiB against {:.1} MiB",
                    mib(large.memory_rise),
                    mib(small.memory_rise)
                ),
                format!("at most {} MiB more", MEMORY_SLACK >> 20),
                large.memory_rise <= small.memory_rise + MEMORY_SLACK,
            ),
            (
                "automatic replies in the mbox left out".into(),
                format!("{} imported, {} left out", mail.imported, mail.ignored),
                format!(
                    "{}, {}",
                    MAIL_MESSAGES - MAIL_MESSAGES / 10,
                    MAIL_MESSAGES / 10
                ),
                mail.imported as usize == MAIL_MESSAGES - MAIL_MESSAGES / 10
                    && mail.ignored as usize == MAIL_MESSAGES / 10,
            ),
        ];
        if self.backend == BackendChoice::Sqlite {
            targets.push((
                "large file rows per second".into(),
                format!("{:.0}", large.per_second()),
                format!("≥ {SQLITE_ROWS_PER_SECOND:.0}"),
                large.per_second() >= SQLITE_ROWS_PER_SECOND,
            ));
        }
        targets
    }

    pub(crate) fn meets_targets(&self) -> bool {
        all_met(&self.targets())
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

impl std::fmt::Display for FeedbackImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "\n### {:?}: feedback imported into {} generated ideas\n",
            self.backend, self.ideas
        )?;
        writeln!(
            f,
            "| import | rows | imported | known | refused | left out | seconds | rows/s | peak memory rise MiB |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
        for run in &self.runs {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} | {:.1} | {:.0} | {:.1} |",
                run.name,
                run.rows,
                run.imported,
                run.already_imported,
                run.refused,
                run.ignored,
                run.elapsed.as_secs_f64(),
                run.per_second(),
                mib(run.memory_rise)
            )?;
        }
        write_targets(f, &self.targets())
    }
}
