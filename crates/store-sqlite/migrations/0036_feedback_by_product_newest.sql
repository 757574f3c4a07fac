-- One product's feedback of every status, newest first (the inbox narrowed to a product).
-- crates/store/src/feedback.rs.
CREATE INDEX feedback_by_product_newest ON feedback (product_id, id);
