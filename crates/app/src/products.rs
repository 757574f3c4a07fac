//! Products and services: each space's catalogue, kept by the space's staff. A product exists
//! for whoever may read its space; its page gathers the ideas about it (open and launched) and
//! takes feedback.

use cocreate_core::{Description, ProductName, ProductStatus, Slug};
use cocreate_store::{Idea, NewProduct, Product, ProductIdeas};

use crate::{Actor, App, AppError, AppResult, SpaceView};

/// Ideas of each kind a product page lists.
pub const PRODUCT_IDEAS_SHOWN: i64 = 20;

/// A product as typed into the create or edit form.
pub struct ProductInput<'a> {
    pub name: &'a str,
    /// Empty means "derive from the name" on create; ignored on edit.
    pub slug: &'a str,
    pub description: &'a str,
    pub status: ProductStatus,
}

/// A space's catalogue as the viewer sees it.
#[derive(Debug, Clone)]
pub struct CatalogueView {
    pub space: SpaceView,
    pub products: Vec<Product>,
}

/// A product's page.
#[derive(Debug, Clone)]
pub struct ProductView {
    pub space: SpaceView,
    pub product: Product,
    pub open_ideas: Vec<Idea>,
    pub launched_ideas: Vec<Idea>,
}

impl App {
    pub async fn catalogue(
        &self,
        actor: Option<&Actor>,
        space_slug: &str,
    ) -> AppResult<CatalogueView> {
        let space = self.space(actor, space_slug).await?;
        let products = self.store.products_of_space(space.space.id).await?;
        Ok(CatalogueView { space, products })
    }

    /// The product called `slug` and its space, if the viewer may read that space.
    pub(crate) async fn visible_product(
        &self,
        actor: Option<&Actor>,
        slug: &str,
    ) -> AppResult<(SpaceView, Product)> {
        let product = self
            .store
            .product_by_slug(slug)
            .await?
            .ok_or(AppError::NotFound)?;
        let space = self.space_by_id(actor, product.space_id).await?;
        Ok((space, product))
    }

    pub async fn product(&self, actor: Option<&Actor>, slug: &str) -> AppResult<ProductView> {
        let (space, product) = self.visible_product(actor, slug).await?;
        let open_ideas = self
            .store
            .product_ideas(product.id, ProductIdeas::Open, PRODUCT_IDEAS_SHOWN)
            .await?;
        let launched_ideas = self
            .store
            .product_ideas(product.id, ProductIdeas::Launched, PRODUCT_IDEAS_SHOWN)
            .await?;
        Ok(ProductView {
            space,
            product,
            open_ideas,
            launched_ideas,
        })
    }

    /// Staff add a product to their space's catalogue.
    pub async fn create_product(
        &self,
        actor: &Actor,
        space_slug: &str,
        input: &ProductInput<'_>,
    ) -> AppResult<Product> {
        let space = self.space(Some(actor), space_slug).await?;
        Self::require_curator(&space)?;
        let name = ProductName::parse(input.name)?;
        let description = Description::parse(input.description)?;
        let slug = if input.slug.trim().is_empty() {
            Slug::from_name(name.as_str())?
        } else {
            Slug::parse(input.slug)?
        };
        let mut tx = self.store.begin().await?;
        let product = tx
            .insert_product(&NewProduct {
                space_id: space.space.id,
                slug: slug.as_str(),
                name: name.as_str(),
                description: description.as_str(),
                status: input.status,
                created_at: self.now(),
            })
            .await
            .map_err(|e| match e {
                cocreate_store::StoreError::Conflict { .. } => {
                    AppError::conflict("slug", "another product already has this address")
                }
                other => other.into(),
            })?;
        self.audit(
            &mut *tx,
            Some(actor),
            "product.create",
            &format!("product:{}", product.id),
            product.name.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(product)
    }

    /// Staff change a product's name, description or status.
    pub async fn update_product(
        &self,
        actor: &Actor,
        slug: &str,
        input: &ProductInput<'_>,
    ) -> AppResult<Product> {
        let (space, product) = self.visible_product(Some(actor), slug).await?;
        Self::require_curator(&space)?;
        let name = ProductName::parse(input.name)?;
        let description = Description::parse(input.description)?;
        let mut tx = self.store.begin().await?;
        tx.update_product(
            product.id,
            name.as_str(),
            description.as_str(),
            input.status,
        )
        .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "product.update",
            &format!("product:{}", product.id),
            input.status.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.store
            .product_by_id(product.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The product an idea is about, if it names one the viewer may see.
    pub async fn product_of_idea(
        &self,
        actor: Option<&Actor>,
        idea_id: i64,
    ) -> AppResult<Option<Product>> {
        self.visible_idea(actor, idea_id).await?;
        Ok(self.store.product_of_idea(idea_id).await?)
    }

    /// Staff name the product an idea is about (one of its own space's), or none with an empty
    /// slug. Returns the idea's space with the product.
    pub async fn set_idea_product(
        &self,
        actor: &Actor,
        idea_id: i64,
        product_slug: &str,
    ) -> AppResult<(SpaceView, Option<Product>)> {
        let (idea, space) = self.visible_idea(Some(actor), idea_id).await?;
        Self::require_curator(&space)?;
        let product = match product_slug.trim() {
            "" => None,
            slug => {
                let product = self
                    .store
                    .product_by_slug(slug)
                    .await?
                    .filter(|p| p.space_id == idea.space_id)
                    .ok_or_else(|| {
                        AppError::invalid("product", "is not a product of this idea's space")
                    })?;
                Some(product)
            }
        };
        let mut tx = self.store.begin().await?;
        tx.set_idea_product(idea.id, product.as_ref().map(|p| p.id))
            .await?;
        self.commit(tx).await?;
        Ok((space, product))
    }
}
