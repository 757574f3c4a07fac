-- Products and services: a catalogue per space, and the ideas about each product (an idea names
-- at most one: the product it would change, or became part of at launch).
-- crates/store/src/products.rs.
CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'available', 'retired')),
    -- An image kept in the object store under image_key.
    image_key TEXT,
    image_type TEXT,
    -- Kept in the transaction of each piece of feedback, so the product page never counts.
    feedback_count BIGINT NOT NULL DEFAULT 0,
    rating_count BIGINT NOT NULL DEFAULT 0,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX products_by_space ON products (space_id, name);
CREATE TABLE idea_products (
    idea_id BIGINT PRIMARY KEY REFERENCES ideas (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE
);
CREATE INDEX idea_products_by_product ON idea_products (product_id, idea_id);
