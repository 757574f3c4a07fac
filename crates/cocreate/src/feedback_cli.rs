//! `cocreate feedback …`: feedback imported by the operator, from files.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Subcommand;
use cocreate_app::{
    ColumnMapping, FeedbackImport, ImportFormat, ImportReport, MailFile, MailImport,
};

use crate::config::Config;
use crate::{build_app, operator_error};

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Import feedback from a CSV file (with a header row) or a JSON Lines file, into one
    /// transaction: good rows import, refused rows are listed with their line and reason, and
    /// importing the same file again adds nothing. The fields are text, product (the product's
    /// slug), email, rating, name, created_at, tags and id; by default each is read from the
    /// column of its name.
    Import {
        file: PathBuf,
        /// csv, tsv or jsonl; by default from the file's extension.
        #[arg(long)]
        format: Option<String>,
        /// The CSV's delimiter, e.g. ";" or "\t" (default ",").
        #[arg(long)]
        delimiter: Option<String>,
        /// Read a field from another column, e.g. --map text=Comment --map email="E-mail".
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// The product (its slug) of rows that name none.
        #[arg(long)]
        product: Option<String>,
        /// Report what the import would do, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import feedback sent by e-mail: .eml files (one message each) and mbox mailboxes.
    /// Bounces and automatic replies are counted, not imported; a message is known again by
    /// its Message-ID.
    ImportMail {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The product (its slug) of messages whose recipient names none (as in
        /// feedback+slug@example.org).
        #[arg(long)]
        product: Option<String>,
        /// Report what the import would do, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub async fn feedback(config: &Config, command: FeedbackCommand) -> anyhow::Result<()> {
    match command {
        FeedbackCommand::Import {
            file,
            format,
            delimiter,
            map,
            product,
            dry_run,
        } => {
            let format = format.unwrap_or_else(|| extension(&file));
            let format =
                ImportFormat::parse(&format, delimiter.as_deref()).map_err(operator_error)?;
            let mut columns = ColumnMapping::default();
            for assignment in &map {
                columns.assign(assignment).map_err(operator_error)?;
            }
            let source = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let import = FeedbackImport {
                format,
                columns,
                product,
                dry_run,
            };
            let app = build_app(config).await?;
            let report = app
                .import_feedback(None, source, &import)
                .await
                .map_err(|e| nothing_imported(&file, e))?;
            print_report(
                &report,
                ("rows", "line"),
                &file.display().to_string(),
                app.store().backend(),
            );
        }
        FeedbackCommand::ImportMail {
            files,
            product,
            dry_run,
        } => {
            let mut opened = Vec::with_capacity(files.len());
            for path in &files {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                opened.push(MailFile {
                    name: path.display().to_string(),
                    reader: Box::new(file),
                });
            }
            let app = build_app(config).await?;
            let import = MailImport { product, dry_run };
            let report = app
                .import_mail(None, opened, &import)
                .await
                .map_err(|e| nothing_imported(&files[0], e))?;
            let named = files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            print_report(
                &report,
                ("messages", "message"),
                &named,
                app.store().backend(),
            );
        }
    }
    Ok(())
}

fn extension(file: &Path) -> String {
    file.extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into())
}

fn nothing_imported(file: &Path, error: cocreate_app::AppError) -> anyhow::Error {
    anyhow!(
        "{}: {}; nothing was imported",
        file.display(),
        operator_error(error)
    )
}

/// Prints what an import did; `(rows, row)` name what the file holds, e.g. ("rows", "line").
fn print_report(report: &ImportReport, (rows, row): (&str, &str), from: &str, backend: &str) {
    let verb = if report.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!(
        "{verb} {} of {} {rows} from {from} into {backend}; {} already imported, {} refused, {} \
         ignored (bounces and automatic replies)",
        report.imported, report.rows, report.already_imported, report.refused, report.ignored
    );
    for problem in &report.problems {
        println!("  {row} {}: {}", problem.line, problem.reason);
    }
    if report.refused > report.problems.len() as u64 {
        println!(
            "  … and {} more refused",
            report.refused - report.problems.len() as u64
        );
    }
    if !report.unused_columns.is_empty() {
        println!("columns not read: {}", report.unused_columns.join(", "));
    }
    if report.dry_run {
        println!("dry run: nothing was written");
    }
}
