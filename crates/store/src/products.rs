//! Products and services: each space's catalogue, and which product an idea is about (the one
//! it became part of, once launched). A product's feedback counts are kept by the feedback area
//! in the transaction of each piece of feedback.

use async_trait::async_trait;
use cocreate_core::{ProductStatus, Stage, Timestamp};

use crate::ideas::{IDEA_COLUMNS, ideas};
use crate::{Idea, Sql, SqlRead, SqlRow, SqlTx, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub space_id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub status: ProductStatus,
    /// The image's key in the file store and its content type.
    pub image: Option<(String, String)>,
    pub feedback_count: i64,
    pub rating_count: i64,
    pub rating_sum: i64,
    pub created_at: Timestamp,
}

impl Product {
    /// The mean rating, in tenths of a star (42 is 4.2), when any feedback rated it.
    pub fn rating_tenths(&self) -> Option<i64> {
        (self.rating_count > 0)
            .then(|| (self.rating_sum * 10 + self.rating_count / 2) / self.rating_count)
    }
}

pub struct NewProduct<'a> {
    pub space_id: i64,
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub status: ProductStatus,
    pub created_at: Timestamp,
}

/// Which of a product's ideas to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductIdeas {
    /// Still on their way: gathering support, in review or accepted.
    Open,
    Launched,
}

impl ProductIdeas {
    fn stages(self) -> &'static [Stage] {
        match self {
            Self::Open => &[Stage::Gathering, Stage::Review, Stage::Accepted],
            Self::Launched => &[Stage::Launched],
        }
    }
}

#[async_trait]
pub trait ProductRead {
    /// The space's catalogue, by name.
    async fn products_of_space(&self, space_id: i64) -> StoreResult<Vec<Product>>;
    async fn product_by_slug(&self, slug: &str) -> StoreResult<Option<Product>>;
    async fn product_by_id(&self, id: i64) -> StoreResult<Option<Product>>;
    /// The product an idea is about, if it names one.
    async fn product_of_idea(&self, idea_id: i64) -> StoreResult<Option<Product>>;
    /// Products whose kept feedback and rating counts differ from their feedback (0 when every
    /// count is exact).
    async fn miscounted_products(&self) -> StoreResult<i64>;
    /// The product's newest ideas of one kind that are not hidden, at most `limit`.
    async fn product_ideas(
        &self,
        product_id: i64,
        which: ProductIdeas,
        limit: i64,
    ) -> StoreResult<Vec<Idea>>;
}

#[async_trait]
pub trait ProductTx {
    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn insert_product(&mut self, product: &NewProduct<'_>) -> StoreResult<Product>;
    async fn update_product(
        &mut self,
        id: i64,
        name: &str,
        description: &str,
        status: ProductStatus,
    ) -> StoreResult<()>;
    async fn set_product_image(
        &mut self,
        id: i64,
        key: &str,
        content_type: &str,
    ) -> StoreResult<()>;
    /// Counts the feedback of the space's products afresh, after a bulk load.
    async fn recount_products(&mut self, space_id: i64) -> StoreResult<()>;
    /// Names the products ideas are about, in bulk: (idea, product) pairs.
    async fn load_idea_products(&mut self, pairs: &[(i64, i64)]) -> StoreResult<()>;
    /// Names the product an idea is about, or (`None`) none.
    async fn set_idea_product(&mut self, idea_id: i64, product_id: Option<i64>) -> StoreResult<()>;
}

const COLUMNS: &str = "SELECT id, space_id, slug, name, description, status, image_key, \
     image_type, feedback_count, rating_count, rating_sum, created_at FROM products ";

/// Each product's feedback, rated feedback and stars, counted.
const COUNTED: &str = "SELECT product_id, COUNT(*) AS items, COUNT(rating) AS rated, \
     COALESCE(SUM(rating), 0) AS stars FROM feedback GROUP BY product_id";

fn product(mut row: SqlRow) -> StoreResult<Product> {
    let image = match (row.maybe_text("image_key")?, row.maybe_text("image_type")?) {
        (Some(key), Some(content_type)) => Some((key, content_type)),
        _ => None,
    };
    Ok(Product {
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        slug: row.text("slug")?,
        name: row.text("name")?,
        description: row.text("description")?,
        status: row.parse("status")?,
        image,
        feedback_count: row.int("feedback_count")?,
        rating_count: row.int("rating_count")?,
        rating_sum: row.int("rating_sum")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> ProductRead for S {
    async fn products_of_space(&self, space_id: i64) -> StoreResult<Vec<Product>> {
        self.fetch(
            &format!("{COLUMNS}WHERE space_id = $1 ORDER BY name, id"),
            &[space_id.into()],
        )
        .await?
        .into_iter()
        .map(product)
        .collect()
    }

    async fn product_by_slug(&self, slug: &str) -> StoreResult<Option<Product>> {
        self.fetch_optional(&format!("{COLUMNS}WHERE slug = $1"), &[slug.into()])
            .await?
            .map(product)
            .transpose()
    }

    async fn product_by_id(&self, id: i64) -> StoreResult<Option<Product>> {
        self.fetch_optional(&format!("{COLUMNS}WHERE id = $1"), &[id.into()])
            .await?
            .map(product)
            .transpose()
    }

    async fn product_of_idea(&self, idea_id: i64) -> StoreResult<Option<Product>> {
        self.fetch_optional(
            &format!(
                "{COLUMNS}WHERE id = (SELECT product_id FROM idea_products WHERE idea_id = $1)"
            ),
            &[idea_id.into()],
        )
        .await?
        .map(product)
        .transpose()
    }

    async fn miscounted_products(&self) -> StoreResult<i64> {
        self.fetch_one(
            &format!(
                "SELECT COUNT(*) AS n FROM products p LEFT JOIN ({COUNTED}) f \
             ON f.product_id = p.id WHERE p.feedback_count <> COALESCE(f.items, 0) \
             OR p.rating_count <> COALESCE(f.rated, 0) OR p.rating_sum <> COALESCE(f.stars, 0)"
            ),
            &[],
        )
        .await?
        .int("n")
    }

    async fn product_ideas(
        &self,
        product_id: i64,
        which: ProductIdeas,
        limit: i64,
    ) -> StoreResult<Vec<Idea>> {
        let stages: Vec<&str> = which.stages().iter().map(|s| s.as_str()).collect();
        let mut sql = Sql::new(format!(
            "SELECT {IDEA_COLUMNS} FROM idea_products p JOIN ideas i ON i.id = p.idea_id \
             JOIN accounts a ON a.id = i.author_id WHERE p.product_id = "
        ));
        sql.bind(product_id)
            .push(" AND i.hidden_at IS NULL AND i.stage IN (")
            .list(stages)
            .push(") ORDER BY p.idea_id DESC LIMIT ")
            .bind(limit);
        ideas(self.fetch_sql(&sql).await?)
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> ProductTx for T {
    async fn insert_product(&mut self, new: &NewProduct<'_>) -> StoreResult<Product> {
        let id = self
            .insert_returning_id(
                "INSERT INTO products (space_id, slug, name, description, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    new.space_id.into(),
                    new.slug.into(),
                    new.name.into(),
                    new.description.into(),
                    new.status.as_str().into(),
                    new.created_at.into(),
                ],
            )
            .await?;
        let row = self
            .fetch_optional(&format!("{COLUMNS}WHERE id = $1"), &[id.into()])
            .await?
            .ok_or_else(|| StoreError::Database("the new product vanished".into()))?;
        product(row)
    }

    async fn update_product(
        &mut self,
        id: i64,
        name: &str,
        description: &str,
        status: ProductStatus,
    ) -> StoreResult<()> {
        self.execute(
            "UPDATE products SET name = $1, description = $2, status = $3 WHERE id = $4",
            &[
                name.into(),
                description.into(),
                status.as_str().into(),
                id.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn set_product_image(
        &mut self,
        id: i64,
        key: &str,
        content_type: &str,
    ) -> StoreResult<()> {
        self.execute(
            "UPDATE products SET image_key = $1, image_type = $2 WHERE id = $3",
            &[key.into(), content_type.into(), id.into()],
        )
        .await?;
        Ok(())
    }

    async fn recount_products(&mut self, space_id: i64) -> StoreResult<()> {
        self.execute(
            "UPDATE products SET \
             feedback_count = (SELECT COUNT(*) FROM feedback f WHERE f.product_id = products.id), \
             rating_count = (SELECT COUNT(rating) FROM feedback f WHERE f.product_id = products.id), \
             rating_sum = (SELECT COALESCE(SUM(rating), 0) FROM feedback f \
             WHERE f.product_id = products.id) WHERE space_id = $1",
            &[space_id.into()],
        )
        .await?;
        Ok(())
    }

    async fn load_idea_products(&mut self, pairs: &[(i64, i64)]) -> StoreResult<()> {
        for chunk in pairs.chunks(2_000) {
            let mut sql = Sql::new("INSERT INTO idea_products (idea_id, product_id) ");
            sql.values(chunk, |(idea, product)| [(*idea).into(), (*product).into()])
                .push(" ON CONFLICT (idea_id) DO UPDATE SET product_id = excluded.product_id");
            self.execute_sql(&sql).await?;
        }
        Ok(())
    }

    async fn set_idea_product(&mut self, idea_id: i64, product_id: Option<i64>) -> StoreResult<()> {
        match product_id {
            Some(product_id) => {
                self.execute(
                    "INSERT INTO idea_products (idea_id, product_id) VALUES ($1, $2) \
                     ON CONFLICT (idea_id) DO UPDATE SET product_id = excluded.product_id",
                    &[idea_id.into(), product_id.into()],
                )
                .await?
            }
            None => {
                self.execute(
                    "DELETE FROM idea_products WHERE idea_id = $1",
                    &[idea_id.into()],
                )
                .await?
            }
        };
        Ok(())
    }
}
