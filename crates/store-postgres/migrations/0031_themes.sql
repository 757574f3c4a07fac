-- Themes: what many of a space's ideas and comments are about, found by a job that recomputes
-- them; staff's names, pins and merges carry over. crates/store/src/themes.rs.
CREATE TABLE themes (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    -- The words most distinctive of the theme, most distinctive first, one per line.
    terms TEXT NOT NULL,
    -- Staff's name for the theme, shown instead of its words.
    label TEXT,
    pinned BIGINT NOT NULL DEFAULT 0,
    -- The text closest to the theme's centre (read as it is now, so a text since hidden or
    -- deleted is not shown).
    representative_kind TEXT CHECK (representative_kind IN ('idea', 'comment')),
    representative_id BIGINT,
    items BIGINT NOT NULL DEFAULT 0,
    -- Texts written in the last 30 days before the computation, and in the 30 days before those.
    recent BIGINT NOT NULL DEFAULT 0,
    earlier BIGINT NOT NULL DEFAULT 0,
    -- Mean sentiment of the scored texts, in thousandths from -1000 to 1000.
    sentiment BIGINT,
    scored BIGINT NOT NULL DEFAULT 0,
    other_language BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX themes_by_space ON themes (space_id, items DESC, id);
-- Each theme's texts, closest to its centre first.
CREATE TABLE theme_items (
    theme_id BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('idea', 'comment')),
    item_id BIGINT NOT NULL,
    PRIMARY KEY (theme_id, position)
);
-- The last computation of a space's themes.
CREATE TABLE theme_runs (
    space_id BIGINT PRIMARY KEY REFERENCES spaces (id) ON DELETE CASCADE,
    computed_at BIGINT NOT NULL,
    -- Texts read, and those in a theme.
    texts BIGINT NOT NULL,
    themed BIGINT NOT NULL,
    -- Why no themes were found, when none were.
    note TEXT
);
