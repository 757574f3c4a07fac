//! The import page: staff upload a CSV or JSON Lines file of feedback, map its columns, check
//! it with a dry run, and import it; the report lists every refused row with its line.

use cocreate_app::{ColumnMapping, FeedbackImport, ImportField, ImportFormat, ImportReport};
use cocreate_store::Product;

use super::*;
use crate::upload::{MAX_IMPORT_UPLOAD_BYTES, spooled};

/// The form as typed, to show again.
#[derive(Debug, Clone)]
pub(super) struct ImportForm {
    format: String,
    delimiter: String,
    product: String,
    /// (field, what it holds, the column typed for it)
    columns: Vec<(&'static str, &'static str, String)>,
    dry_run: bool,
}

impl Default for ImportForm {
    fn default() -> Self {
        let mapping = ColumnMapping::default();
        Self {
            format: String::new(),
            delimiter: String::new(),
            product: String::new(),
            columns: ImportField::ALL
                .into_iter()
                .map(|f| (f.name(), f.about(), mapping.column(f).to_owned()))
                .collect(),
            dry_run: true,
        }
    }
}

#[derive(Template)]
#[template(path = "feedback_import.html")]
pub(super) struct ImportPage {
    pub(super) layout: Layout,
    pub(super) products: Vec<Product>,
    pub(super) form: ImportForm,
    pub(super) report: Option<ImportReport>,
    pub(super) file_name: String,
    pub(super) error: FormError,
    pub(super) max_mib: usize,
}

async fn import_page(
    state: &WebState,
    actor: &Actor,
    form: ImportForm,
    report: Option<ImportReport>,
    file_name: String,
    error: FormError,
) -> PageResult {
    let products = state.app.importable_products(Some(actor)).await?;
    let refused_form = error.message.is_some();
    let page = ImportPage {
        layout: layout(state, Some(actor)).await?,
        products,
        form,
        report,
        file_name,
        error,
        max_mib: MAX_IMPORT_UPLOAD_BYTES >> 20,
    };
    if refused_form {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn feedback_import_form(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    let actor = require(&actor)?;
    import_page(
        &state,
        actor,
        ImportForm::default(),
        None,
        String::new(),
        FormError::default(),
    )
    .await
}

/// The format the form names, or else the one the file's name says.
fn format_of(form: &ImportForm, file_name: &str) -> Result<ImportFormat, AppError> {
    let named = match form.format.as_str() {
        "" => file_name
            .rsplit_once('.')
            .map(|(_, extension)| extension)
            .unwrap_or("csv"),
        chosen => chosen,
    };
    ImportFormat::parse(named, Some(form.delimiter.as_str()))
}

pub(super) async fn import_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = require(&actor)?;
    let mut multipart = multipart.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })?;
    let mut form = ImportForm {
        dry_run: false,
        ..ImportForm::default()
    };
    let mut file = None;
    let mut file_name = String::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file_name = field.file_name().unwrap_or_default().to_owned();
            file = Some(spooled(field, MAX_IMPORT_UPLOAD_BYTES).await?);
            continue;
        }
        let value = field.text().await.map_err(|e| {
            HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
        })?;
        match name.as_str() {
            "format" => form.format = value,
            "delimiter" => form.delimiter = value,
            "product" => form.product = value,
            "dry_run" => form.dry_run = true,
            column => {
                if let Some(entry) = form
                    .columns
                    .iter_mut()
                    .find(|(field, _, _)| column.strip_prefix("column_") == Some(field))
                {
                    entry.2 = value;
                }
            }
        }
    }
    let result = match (file, format_of(&form, &file_name)) {
        (None, _) => Err(AppError::invalid("file", "choose a file to import")),
        (_, Err(error)) => Err(error),
        (Some(file), Ok(format)) => {
            let mut columns = ColumnMapping::default();
            for (field, (_, _, column)) in ImportField::ALL.into_iter().zip(&form.columns) {
                columns.set(field, column);
            }
            let import = FeedbackImport {
                format,
                columns,
                product: Some(form.product.clone()).filter(|p| !p.is_empty()),
                dry_run: form.dry_run,
            };
            state.app.import_feedback(Some(actor), file, &import).await
        }
    };
    match result {
        Ok(report) => {
            import_page(
                &state,
                actor,
                form,
                Some(report),
                file_name,
                FormError::default(),
            )
            .await
        }
        Err(error) => {
            let error = FormError::from_app(error)?;
            import_page(&state, actor, form, None, file_name, error).await
        }
    }
}
