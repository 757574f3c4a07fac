//! Products and services: a space's catalogue, one product with the ideas about it, staff
//! adding and changing products, and naming the product an idea is about.

use cocreate_app::{ProductInput, ProductView};
use cocreate_core::ProductStatus;
use cocreate_store::Product;

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ProductOut {
    id: i64,
    space: String,
    slug: String,
    name: String,
    description: String,
    status: ProductStatus,
    /// Pieces of feedback given on it.
    feedback_count: i64,
    /// Mean of the ratings given with feedback (1–5), when any.
    mean_rating: Option<f64>,
    rating_count: i64,
    created_at: String,
}

pub(super) fn product_out(product: Product, space: &str) -> ProductOut {
    ProductOut {
        mean_rating: product.rating_tenths().map(|t| t as f64 / 10.0),
        id: product.id,
        space: space.to_owned(),
        slug: product.slug,
        name: product.name,
        description: product.description,
        status: product.status,
        feedback_count: product.feedback_count,
        rating_count: product.rating_count,
        created_at: product.created_at.to_rfc3339(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductDetailOut {
    #[serde(flatten)]
    product: ProductOut,
    /// Its newest ideas still on their way (gathering support, in review, accepted).
    open_ideas: Vec<IdeaOut>,
    /// Its newest launched ideas.
    launched_ideas: Vec<IdeaOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductIn {
    name: String,
    /// Derived from the name when absent.
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    status: ProductStatus,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductUpdateIn {
    name: String,
    #[serde(default)]
    description: String,
    status: ProductStatus,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaProductIn {
    /// The slug of a product of the idea's space; null for none.
    product: Option<String>,
}

/// The space's products and services, by name.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/products", tag = "products", params(("slug" = String, Path)),
    responses((status = 200, body = Vec<ProductOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_products(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<ProductOut>>> {
    let view = state.app.catalogue(actor.get(), &slug).await?;
    let space = view.space.space.slug;
    Ok(Json(
        view.products
            .into_iter()
            .map(|product| product_out(product, &space))
            .collect(),
    ))
}

/// Adds a product to the space's catalogue (staff).
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/products", tag = "products", params(("slug" = String, Path)), request_body = ProductIn,
    responses((status = 201, body = ProductOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ProductIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let input = ProductInput {
        name: &body.name,
        slug: &body.slug,
        description: &body.description,
        status: body.status,
    };
    let product = state.app.create_product(actor, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(product_out(product, &slug))).into_response())
}

fn product_detail(view: ProductView) -> ProductDetailOut {
    let summary = |idea: Idea| idea_out(idea, false, None);
    ProductDetailOut {
        product: product_out(view.product, &view.space.space.slug),
        open_ideas: view.open_ideas.into_iter().map(summary).collect(),
        launched_ideas: view.launched_ideas.into_iter().map(summary).collect(),
    }
}

/// One product with its newest open and launched ideas; 404 when the caller may not see its
/// space.
#[utoipa::path(get, path = "/api/v1/products/{slug}", tag = "products", params(("slug" = String, Path)),
    responses((status = 200, body = ProductDetailOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn get_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<ProductDetailOut>> {
    Ok(Json(product_detail(
        state.app.product(actor.get(), &slug).await?,
    )))
}

/// Changes a product's name, description or status (staff).
#[utoipa::path(put, path = "/api/v1/products/{slug}", tag = "products", params(("slug" = String, Path)), request_body = ProductUpdateIn,
    responses((status = 200, body = ProductOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn update_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ProductUpdateIn>,
) -> ApiResult<Json<ProductOut>> {
    let actor = signed_in(&actor)?;
    let input = ProductInput {
        name: &body.name,
        slug: "",
        description: &body.description,
        status: body.status,
    };
    let product = state.app.update_product(actor, &slug, &input).await?;
    let view = state.app.product(Some(actor), &product.slug).await?;
    Ok(Json(product_out(view.product, &view.space.space.slug)))
}

/// Names the product an idea is about, or became part of at launch (staff); null for none.
#[utoipa::path(put, path = "/api/v1/ideas/{id}/product", tag = "products", params(("id" = i64, Path)), request_body = IdeaProductIn,
    responses((status = 200, body = Option<ProductOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn set_idea_product(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaProductIn>,
) -> ApiResult<Json<Option<ProductOut>>> {
    let actor = signed_in(&actor)?;
    let (space, product) = state
        .app
        .set_idea_product(actor, id, body.product.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(
        product.map(|product| product_out(product, &space.space.slug)),
    ))
}
