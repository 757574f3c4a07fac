//! Cocreate's embedded search index: a tantivy index in the data directory holding ideas,
//! comments and challenges with what permissions need (space, visibility, challenge, stage,
//! tags). The database stays the one source of truth: the app feeds this index from the
//! database's change log and records, in each commit, how far in the log it got.
//!
//! Queries are built so that tantivy can find the best hits without scoring every match
//! (block-max WAND): one word, and the similar-ideas query, are flat unions of term queries, and
//! permissions are checked as each candidate arrives ([`collector`]), not as a filter clause that
//! would force every match to be scored.

mod collector;
mod facets;
mod query;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cocreate_core::Stage;
use cocreate_store::{DocKind, SearchDocument, Snippet, SnippetPart};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use query::{MAX_QUERY_WORDS, QueryMode};

/// Bumped whenever the fields or their analysis change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

/// Memory the writer buffers documents in before it writes a segment.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// Characters of text around the matches a snippet shows.
const SNIPPET_CHARS: usize = 160;

/// How long one query may look for hits or count matches before it answers with what it has.
pub const QUERY_BUDGET: Duration = Duration::from_millis(250);

/// Challenges and tags a facet lists, the most frequent first.
pub const FACET_VALUES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("search index position: {0}")]
    Position(#[from] serde_json::Error),
}

pub type SearchResult<T> = Result<T, SearchError>;

/// How far in the database's change log the index got, saved with each commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub schema: u32,
    /// The database followed (see `cocreate_store::LogHead::epoch`).
    pub epoch: String,
    /// Every entry up to this seq has been applied, but for `gaps`.
    pub seq: i64,
    /// When the entry `seq` was written, to tell a restored database from the one followed.
    pub stamp: Option<i64>,
    /// Seqs below `seq` not seen yet: their transactions may still commit.
    pub gaps: Vec<i64>,
}

/// The index's fields.
#[derive(Clone, Copy)]
struct Fields {
    /// `kind << KIND_SHIFT | id`: one document per object, found again to replace it.
    key: Field,
    /// The object's space when someone may find it (anyone, or a draft's authors), else 0.
    gate: Field,
    /// A draft's lead author and co-authors (invited ones included): only they find it.
    drafters: Field,
    challenge: Field,
    stage: Field,
    tag: Field,
    /// The text of each kind in fields of its own, in [`KINDS`] order: a search for one kind
    /// walks only that kind's postings, so block-max WAND skips what the others would score.
    text: [TextFields; 3],
}

/// A kind's title and body.
#[derive(Clone, Copy)]
pub(crate) struct TextFields {
    pub title: Field,
    pub body: Field,
}

const KIND_SHIFT: u32 = 48;

const KINDS: [DocKind; 3] = [DocKind::Idea, DocKind::Comment, DocKind::Challenge];

fn kind_code(kind: DocKind) -> u64 {
    match kind {
        DocKind::Idea => 1,
        DocKind::Comment => 2,
        DocKind::Challenge => 3,
    }
}

fn doc_key(kind: DocKind, id: i64) -> u64 {
    kind_code(kind) << KIND_SHIFT | u64::try_from(id).unwrap_or(0)
}

fn stage_code(stage: Stage) -> u64 {
    Stage::ALL
        .iter()
        .position(|s| *s == stage)
        .map_or(0, |index| index as u64 + 1)
}

impl Fields {
    fn schema() -> (Schema, Self) {
        let mut builder = Schema::builder();
        let fast = NumericOptions::default().set_fast();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Self {
            key: builder.add_u64_field("key", fast.clone() | INDEXED),
            gate: builder.add_u64_field("gate", fast.clone()),
            drafters: builder.add_u64_field("drafters", fast.clone()),
            challenge: builder.add_u64_field("challenge", fast.clone()),
            stage: builder.add_u64_field("stage", fast),
            tag: builder.add_text_field("tag", STRING | FAST),
            text: KINDS.map(|kind| TextFields {
                title: builder.add_text_field(&format!("{}_title", kind.as_str()), text.clone()),
                body: builder.add_text_field(&format!("{}_body", kind.as_str()), text.clone()),
            }),
        };
        (builder.build(), fields)
    }

    fn document(&self, doc: &SearchDocument) -> TantivyDocument {
        let mut out = TantivyDocument::default();
        out.add_u64(self.key, doc_key(doc.kind, doc.id));
        let space = u64::try_from(doc.space_id).unwrap_or(0);
        let findable = doc.visible || !doc.drafters.is_empty();
        out.add_u64(self.gate, if findable { space } else { 0 });
        for drafter in &doc.drafters {
            out.add_u64(self.drafters, u64::try_from(*drafter).unwrap_or(0));
        }
        out.add_u64(
            self.challenge,
            doc.challenge_id
                .and_then(|id| u64::try_from(id).ok())
                .unwrap_or(0),
        );
        out.add_u64(self.stage, doc.stage.map_or(0, stage_code));
        for tag in &doc.tags {
            out.add_text(self.tag, tag);
        }
        let text = self.text_of(doc.kind);
        out.add_text(text.title, &doc.title);
        out.add_text(text.body, &doc.body);
        out
    }

    fn text_of(&self, kind: DocKind) -> TextFields {
        let at = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        self.text[at]
    }
}

/// The index in its directory, with its one writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dir: PathBuf,
    budget: Duration,
    counts: facets::CountCache,
}

/// Why an index was started empty rather than opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fresh {
    /// There was none.
    Missing,
    /// It could not be opened or its files failed their checksums.
    Corrupt(String),
    /// It was built with another [`SCHEMA_VERSION`].
    OtherVersion,
}

impl SearchIndex {
    /// Opens the index in `dir`, or starts an empty one there (saying why) when there is none,
    /// it is damaged, or it was built for another schema.
    pub fn open(dir: &Path) -> SearchResult<(Self, Option<Fresh>)> {
        let io = |source| SearchError::Directory {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let fresh = match Self::open_existing(dir) {
            Ok(Some(opened)) => return Ok((opened, None)),
            Ok(None) if dir.join("meta.json").exists() => Fresh::OtherVersion,
            Ok(None) => Fresh::Missing,
            Err(why) => Fresh::Corrupt(why.to_string()),
        };
        // The old files go: an index is only ever rebuilt from the database.
        std::fs::remove_dir_all(dir).map_err(io)?;
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, _) = Fields::schema();
        let index = Index::create_in_dir(dir, schema)?;
        Ok((Self::with_index(index, dir)?, Some(fresh)))
    }

    /// The index in `dir` when it opens, passes its checksums and has this schema version.
    fn open_existing(dir: &Path) -> SearchResult<Option<Self>> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        let index = Index::open_in_dir(dir)?;
        let damaged = index.validate_checksum()?;
        if let Some(file) = damaged.iter().next() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "{} fails its checksum",
                file.display()
            ))
            .into());
        }
        let opened = Self::with_index(index, dir)?;
        match opened.position()? {
            Some(position) if position.schema != SCHEMA_VERSION => Ok(None),
            _ => Ok(Some(opened)),
        }
    }

    fn with_index(index: Index, dir: &Path) -> SearchResult<Self> {
        let (expected, fields) = Fields::schema();
        if index.schema() != expected {
            return Err(tantivy::TantivyError::SchemaError(
                "the index has other fields than this version's".into(),
            )
            .into());
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dir: dir.to_owned(),
            budget: QUERY_BUDGET,
            counts: facets::CountCache::default(),
        })
    }

    /// Where the last commit left the index in the change log, if anywhere.
    pub fn position(&self) -> SearchResult<Option<Position>> {
        let payload = self.index.load_metas()?.payload;
        payload
            .map(|text| serde_json::from_str::<Position>(&text))
            .transpose()
            .map_err(SearchError::from)
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves nothing half-done that a commit would keep:
        // uncommitted changes are dropped with the next rollback or rebuild.
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stages removing every document, for a rebuild.
    pub fn clear(&self) -> SearchResult<()> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Stages the documents `gone` (objects that no longer exist, or whatever version the index
    /// holds of them) going and `docs` coming in their place.
    pub fn replace(&self, gone: &[(DocKind, i64)], docs: &[SearchDocument]) -> SearchResult<()> {
        let writer = self.writer();
        for (kind, id) in gone
            .iter()
            .copied()
            .chain(docs.iter().map(|doc| (doc.kind, doc.id)))
        {
            writer.delete_term(Term::from_field_u64(self.fields.key, doc_key(kind, id)));
        }
        for doc in docs {
            writer.add_document(self.fields.document(doc))?;
        }
        Ok(())
    }

    /// Stages new documents, for a rebuild (nothing to replace).
    pub fn add(&self, docs: &[SearchDocument]) -> SearchResult<()> {
        let writer = self.writer();
        for doc in docs {
            writer.add_document(self.fields.document(doc))?;
        }
        Ok(())
    }

    /// Makes what was staged durable and searchable, with the position it brings the index to.
    pub fn commit(&self, position: &Position) -> SearchResult<()> {
        let payload = serde_json::to_string(position)?;
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Drops what was staged since the last commit.
    pub fn rollback(&self) -> SearchResult<()> {
        self.writer().rollback()?;
        Ok(())
    }

    /// Documents searchable now.
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index's files take on disk.
    pub fn size_on_disk(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| entry.metadata().ok())
                    .filter(std::fs::Metadata::is_file)
                    .map(|meta| meta.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Sets how long a query may run before answering with what it has (see [`QUERY_BUDGET`]).
    pub fn set_budget(&mut self, budget: Duration) {
        self.budget = budget;
    }

    /// The best `request.limit` documents of `request.kind` matching `request.text` that the
    /// viewer may read, best first, with a highlighter for their text.
    pub fn search(&self, request: &SearchRequest<'_>) -> SearchResult<Found> {
        let searcher = self.reader.searcher();
        let text = self.fields.text_of(request.kind);
        let Some(built) = query::build(
            &self.index,
            &searcher,
            &self.fields,
            text,
            request.text,
            request.mode,
            request.filters.tag,
        )?
        else {
            return Ok(Found::default());
        };
        let hits = searcher.search(
            &*built,
            &collector::PermittedTopDocs {
                limit: request.limit,
                permits: request.filters.permits(Some(request.kind)),
                fields: self.fields,
                deadline: Instant::now() + self.budget,
            },
        )?;
        let mut generator = SnippetGenerator::create(&searcher, &*built, text.body)?;
        generator.set_max_num_chars(SNIPPET_CHARS);
        Ok(Found {
            ids: hits,
            highlighter: Some(Highlighter { generator }),
        })
    }

    /// How many documents of each kind match `text` (read as `mode` says) under `filters`, and
    /// how many of them carry each space, challenge, stage and tag: what adding each filter would
    /// leave.
    pub fn facets(
        &self,
        text: &str,
        mode: QueryMode,
        filters: &Filters<'_>,
    ) -> SearchResult<Facets> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let key = facets::CountKey {
            text: text.to_owned(),
            mode,
            tag: filters.tag.map(str::to_owned),
            permits: filters.permits(None),
        };
        if let Some(counts) = self.counts.get(generation, &key) {
            return Ok(Facets::from_counts(counts));
        }
        // Each kind's text is in fields of its own: each is counted with its own query.
        let counter = facets::FacetCounter {
            permits: key.permits.clone(),
            fields: self.fields,
            deadline: Instant::now() + self.budget,
        };
        let mut counts = facets::Counts {
            complete: true,
            ..facets::Counts::default()
        };
        let mut understood = false;
        for kind in KINDS {
            let Some(built) = query::build(
                &self.index,
                &searcher,
                &self.fields,
                self.fields.text_of(kind),
                text,
                mode,
                filters.tag,
            )?
            else {
                continue;
            };
            understood = true;
            counts.absorb(searcher.search(&*built, &counter)?);
        }
        if !understood {
            return Ok(Facets::empty());
        }
        self.counts.put(generation, key, &counts);
        Ok(Facets::from_counts(counts))
    }
}

/// Which documents a query may find: those in the spaces the viewer may read, narrowed by the
/// filters chosen.
#[derive(Debug, Clone, Default)]
pub struct Filters<'a> {
    /// The spaces the viewer may read.
    pub space_ids: &'a [i64],
    /// The viewer, who also finds the drafts they write.
    pub drafter: Option<i64>,
    pub challenge_id: Option<i64>,
    pub stage: Option<Stage>,
    pub tag: Option<&'a str>,
}

impl Filters<'_> {
    fn permits(&self, kind: Option<DocKind>) -> collector::Permits {
        let mut spaces: Vec<u64> = self
            .space_ids
            .iter()
            .filter_map(|id| u64::try_from(*id).ok())
            .collect();
        spaces.sort_unstable();
        collector::Permits {
            kind: kind.map(kind_code),
            spaces,
            drafter: self.drafter.and_then(|id| u64::try_from(id).ok()),
            challenge: self.challenge_id.and_then(|id| u64::try_from(id).ok()),
            stage: self.stage.map(stage_code),
        }
    }
}

/// What to look for, and what the viewer may read.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    pub text: &'a str,
    pub mode: QueryMode,
    pub kind: DocKind,
    pub filters: Filters<'a>,
    pub limit: usize,
}

/// The matches a search would find, counted by facet; each list the most frequent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facets {
    /// Every kind, with how many of its documents match.
    pub kinds: Vec<(DocKind, u64)>,
    /// Spaces by id.
    pub spaces: Vec<(i64, u64)>,
    /// Challenges by id, the [`FACET_VALUES`] most frequent.
    pub challenges: Vec<(i64, u64)>,
    /// Stages of ideas (and of the ideas comments are on).
    pub stages: Vec<(Stage, u64)>,
    /// Tags, the [`FACET_VALUES`] most frequent.
    pub tags: Vec<(String, u64)>,
    /// Whether every match was counted within the query's time budget.
    pub complete: bool,
}

impl Facets {
    fn empty() -> Self {
        Self::from_counts(facets::Counts {
            complete: true,
            ..facets::Counts::default()
        })
    }

    fn from_counts(counts: facets::Counts) -> Self {
        fn ranked<K: Ord, V>(
            counts: std::collections::HashMap<K, u64>,
            value: impl Fn(K) -> Option<V>,
            keep: usize,
        ) -> Vec<(V, u64)> {
            let mut ranked: Vec<(K, u64)> = counts.into_iter().collect();
            // The most frequent first, then by value so that equal counts keep one order.
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            ranked
                .into_iter()
                .filter_map(|(key, count)| value(key).map(|value| (value, count)))
                .take(keep)
                .collect()
        }
        let id = |code: u64| i64::try_from(code).ok();
        Self {
            kinds: KINDS
                .iter()
                .map(|kind| {
                    let count = counts.kinds.get(&kind_code(*kind)).copied().unwrap_or(0);
                    (*kind, count)
                })
                .collect(),
            spaces: ranked(counts.spaces, id, usize::MAX),
            challenges: ranked(counts.challenges, id, FACET_VALUES),
            stages: ranked(
                counts.stages,
                |code| {
                    let index = usize::try_from(code).ok()?.checked_sub(1)?;
                    Stage::ALL.get(index).copied()
                },
                usize::MAX,
            ),
            tags: ranked(counts.tags, Some, FACET_VALUES),
            complete: counts.complete,
        }
    }
}

/// Ids of the documents found, best first, and how to mark the matches in their text.
#[derive(Default)]
pub struct Found {
    pub ids: Vec<i64>,
    highlighter: Option<Highlighter>,
}

impl Found {
    /// A passage of `text` around the query's matches, marked; the text's beginning when it
    /// holds none (the match was in the title).
    pub fn snippet(&self, text: &str) -> Snippet {
        let marked = self
            .highlighter
            .as_ref()
            .map(|h| h.generator.snippet(text))
            .filter(|snippet| !snippet.fragment().is_empty());
        match marked {
            Some(snippet) => {
                let fragment = snippet.fragment();
                let mut parts = Vec::new();
                let mut at = 0;
                for range in snippet.highlighted() {
                    if range.start > at {
                        parts.push(part(&fragment[at..range.start], false));
                    }
                    parts.push(part(&fragment[range.clone()], true));
                    at = range.end;
                }
                if at < fragment.len() {
                    parts.push(part(&fragment[at..], false));
                }
                Snippet::from_parts(parts)
            }
            None => {
                let end = text
                    .char_indices()
                    .nth(SNIPPET_CHARS)
                    .map_or(text.len(), |(at, _)| at);
                Snippet::from_parts(vec![part(&text[..end], false)])
            }
        }
    }
}

fn part(text: &str, matched: bool) -> SnippetPart {
    SnippetPart {
        text: text.to_owned(),
        matched,
    }
}

struct Highlighter {
    generator: SnippetGenerator,
}
