//! Products and services: a space's catalogue, a product's page with its ideas and a feedback
//! form, staff adding and editing products, and staff naming the product an idea is about.

use cocreate_app::{CatalogueView, FeedbackInput, ProductInput, ProductView};
use cocreate_core::{FeedbackChannel, ProductStatus, Rating};
use cocreate_store::Product;

use super::*;

/// A product's fields as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ProductFields {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) slug: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) status: String,
}

impl ProductFields {
    fn of(product: &Product) -> Self {
        Self {
            name: product.name.clone(),
            slug: product.slug.clone(),
            description: product.description.clone(),
            status: product.status.as_str().to_owned(),
        }
    }

    fn status(&self) -> Result<ProductStatus, AppError> {
        Ok(self.status.parse::<ProductStatus>()?)
    }
}

/// Shows a product's rating as "4.2 of 5 from 37 ratings".
pub(super) fn rating_text(product: &Product) -> Option<String> {
    product.rating_tenths().map(|tenths| {
        format!(
            "{}.{} of 5 from {} {}",
            tenths / 10,
            tenths % 10,
            product.rating_count,
            if product.rating_count == 1 {
                "rating"
            } else {
                "ratings"
            }
        )
    })
}

#[derive(Template)]
#[template(path = "products.html")]
pub(super) struct CataloguePage {
    pub(super) layout: Layout,
    pub(super) view: CatalogueView,
    pub(super) statuses: &'static [ProductStatus],
    pub(super) form: ProductFields,
    pub(super) error: FormError,
}

impl CataloguePage {
    pub(super) fn rating(product: &Product) -> Option<String> {
        rating_text(product)
    }
}

pub(super) async fn catalogue(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> PageResult {
    let view = state.app.catalogue(actor.get(), &slug).await?;
    let page = CataloguePage {
        layout: layout(&state, actor.get()).await?,
        view,
        statuses: ProductStatus::ALL,
        form: ProductFields {
            status: ProductStatus::Available.as_str().to_owned(),
            ..ProductFields::default()
        },
        error: FormError::default(),
    };
    ok(&page)
}

pub(super) async fn create_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<ProductFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let created = match form.status() {
        Ok(status) => {
            let input = ProductInput {
                name: &form.name,
                slug: &form.slug,
                description: &form.description,
                status,
            };
            state.app.create_product(actor, &slug, &input).await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(product) => {
            Ok(Redirect::to(&format!("/products/{}?done=saved", product.slug)).into_response())
        }
        Err(error) => {
            let error = FormError::from_app(error)?;
            let view = state.app.catalogue(Some(actor), &slug).await?;
            refused(&CataloguePage {
                layout: layout(&state, Some(actor)).await?,
                view,
                statuses: ProductStatus::ALL,
                form,
                error,
            })
        }
    }
}

/// The feedback form's fields as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct FeedbackFields {
    #[serde(default)]
    pub(super) body: String,
    #[serde(default)]
    pub(super) rating: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) name: String,
}

#[derive(Template)]
#[template(path = "product.html")]
pub(super) struct ProductPage {
    pub(super) layout: Layout,
    pub(super) view: ProductView,
    pub(super) statuses: &'static [ProductStatus],
    pub(super) ratings: std::ops::RangeInclusive<i64>,
    pub(super) form: ProductFields,
    pub(super) feedback: FeedbackFields,
    pub(super) error: FormError,
    /// Which form the error belongs to: `feedback` or `product`.
    pub(super) refused_form: &'static str,
}

impl ProductPage {
    pub(super) fn rating(&self) -> Option<String> {
        rating_text(&self.view.product)
    }
}

struct ProductForms {
    product: Option<ProductFields>,
    feedback: FeedbackFields,
    error: FormError,
    refused_form: &'static str,
}

async fn product_page(
    state: &WebState,
    actor: Option<&Actor>,
    slug: &str,
    notice: Option<&'static str>,
    forms: ProductForms,
) -> PageResult {
    let view = state.app.product(actor, slug).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice;
    let page = ProductPage {
        layout,
        form: forms
            .product
            .unwrap_or_else(|| ProductFields::of(&view.product)),
        view,
        statuses: ProductStatus::ALL,
        ratings: Rating::MIN..=Rating::MAX,
        feedback: forms.feedback,
        error: forms.error,
        refused_form: forms.refused_form,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let forms = ProductForms {
        product: None,
        feedback: FeedbackFields::default(),
        error: FormError::default(),
        refused_form: "",
    };
    product_page(
        &state,
        actor.get(),
        &slug,
        notice_for(done.done.as_deref()),
        forms,
    )
    .await
}

pub(super) async fn update_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<ProductFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let updated = match form.status() {
        Ok(status) => {
            let input = ProductInput {
                name: &form.name,
                slug: "",
                description: &form.description,
                status,
            };
            state.app.update_product(actor, &slug, &input).await
        }
        Err(error) => Err(error),
    };
    match updated {
        Ok(_) => Ok(Redirect::to(&format!("/products/{slug}?done=saved")).into_response()),
        Err(error) => {
            let forms = ProductForms {
                product: Some(form),
                feedback: FeedbackFields::default(),
                error: FormError::from_app(error)?,
                refused_form: "product",
            };
            product_page(&state, Some(actor), &slug, None, forms).await
        }
    }
}

pub(super) async fn send_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<FeedbackFields>,
) -> PageResult {
    let sent = match Rating::parse_optional(&form.rating) {
        Ok(rating) => {
            let input = FeedbackInput {
                body: &form.body,
                rating: rating.map(Rating::value),
                tags: "",
                author_email: Some(form.email.as_str()),
                author_name: Some(form.name.as_str()),
            };
            state
                .app
                .send_feedback(actor.get(), &slug, &input, FeedbackChannel::Web)
                .await
        }
        Err(error) => Err(error.into()),
    };
    match sent {
        Ok(_) => {
            Ok(Redirect::to(&format!("/products/{slug}?done=feedback#feedback")).into_response())
        }
        Err(error) => {
            let forms = ProductForms {
                product: None,
                feedback: form,
                error: FormError::from_app(error)?,
                refused_form: "feedback",
            };
            product_page(&state, actor.get(), &slug, None, forms).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct IdeaProductForm {
    #[serde(default)]
    product: String,
}

pub(super) async fn set_idea_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<IdeaProductForm>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.set_idea_product(actor, id, &form.product).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=saved")).into_response())
}
