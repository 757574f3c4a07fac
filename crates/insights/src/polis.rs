//! Reading a Polis export: `comments.csv` (the statements), `votes.csv` (every vote event) and
//! `participants-votes.csv` (each participant's last votes and the opinion group Polis put them
//! in). Columns are found by their header, so their order does not matter; a bad row is reported
//! with its file, line and reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use cocreate_core::StatementText;

use crate::{Ballot, Opinion, OpinionGroups, adjusted_rand_index};

/// A file of the export that could not be read, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{file}, line {line}: {reason}")]
pub struct PolisError {
    pub file: &'static str,
    pub line: u64,
    pub reason: String,
}

/// A statement of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolisComment {
    pub id: u64,
    pub author: u64,
    /// When it was written, in milliseconds since the epoch.
    pub created_ms: i64,
    /// Moderated out: hidden from the conversation and left out of its analysis.
    pub hidden: bool,
    /// The agrees and disagrees Polis counted, to check the votes against.
    pub agrees: u64,
    pub disagrees: u64,
    /// Its text, cut to a statement's longest.
    pub body: StatementText,
}

/// A participant's vote on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolisVote {
    pub statement: u64,
    pub voter: u64,
    pub opinion: Opinion,
    /// When it was cast, in milliseconds since the epoch (0 when the file does not say).
    pub at_ms: i64,
}

/// A participant as `participants-votes.csv` describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolisParticipant {
    pub id: u64,
    /// The opinion group Polis put them in; `None` when it left them out.
    pub group: Option<u64>,
    pub votes: Vec<(u64, Opinion)>,
}

/// One CSV file of the export, with its columns by name.
struct Table<R: Read> {
    file: &'static str,
    reader: csv::Reader<R>,
    columns: HashMap<String, usize>,
    headers: csv::StringRecord,
}

impl<R: Read> Table<R> {
    fn open(file: &'static str, input: R) -> Result<Self, PolisError> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| error(file, 1, e.to_string()))?
            .clone();
        let columns = headers
            .iter()
            .enumerate()
            .map(|(at, name)| (name.trim().to_owned(), at))
            .collect();
        Ok(Self {
            file,
            reader,
            columns,
            headers,
        })
    }

    fn column(&self, name: &str) -> Result<usize, PolisError> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| error(self.file, 1, format!("has no column \"{name}\"")))
    }

    /// Each row with its line number, or the first row that is not CSV.
    fn rows(&mut self) -> impl Iterator<Item = Result<(u64, csv::StringRecord), PolisError>> + '_ {
        let file = self.file;
        self.reader.records().map(move |row| {
            let row = row.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                error(file, line, e.to_string())
            })?;
            let line = row.position().map_or(0, csv::Position::line);
            Ok((line, row))
        })
    }
}

fn error(file: &'static str, line: u64, reason: impl Into<String>) -> PolisError {
    PolisError {
        file,
        line,
        reason: reason.into(),
    }
}

fn field(row: &csv::StringRecord, at: usize) -> &str {
    row.get(at).unwrap_or("").trim()
}

fn number<T: std::str::FromStr>(
    file: &'static str,
    line: u64,
    name: &str,
    text: &str,
) -> Result<T, PolisError> {
    text.parse().map_err(|_| {
        error(
            file,
            line,
            format!("{name} \"{text}\" is not a whole number"),
        )
    })
}

fn opinion(file: &'static str, line: u64, text: &str) -> Result<Opinion, PolisError> {
    match text {
        "1" => Ok(Opinion::Agree),
        "-1" => Ok(Opinion::Disagree),
        "0" => Ok(Opinion::Pass),
        other => Err(error(
            file,
            line,
            format!("vote \"{other}\" is not 1, -1 or 0"),
        )),
    }
}

/// The statements of `comments.csv`, in the file's order.
pub fn comments(input: impl Read) -> Result<Vec<PolisComment>, PolisError> {
    const FILE: &str = "comments.csv";
    let mut table = Table::open(FILE, input)?;
    let [created, id, author, agrees, disagrees, moderated, body] = [
        "timestamp",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    .map(|name| table.column(name));
    let (created, id, author, agrees, disagrees, moderated, body) = (
        created?, id?, author?, agrees?, disagrees?, moderated?, body?,
    );
    table
        .rows()
        .map(|row| {
            let (line, row) = row?;
            let moderated: i64 = number(FILE, line, "moderated", field(&row, moderated))?;
            Ok(PolisComment {
                id: number(FILE, line, "comment-id", field(&row, id))?,
                author: number(FILE, line, "author-id", field(&row, author))?,
                created_ms: number(FILE, line, "timestamp", field(&row, created))?,
                hidden: moderated < 0,
                agrees: number(FILE, line, "agrees", field(&row, agrees))?,
                disagrees: number(FILE, line, "disagrees", field(&row, disagrees))?,
                body: statement_text(line, row.get(body).unwrap_or(""))?,
            })
        })
        .collect()
}

/// A comment's text as a statement: a longer one is cut to the longest a statement may be.
fn statement_text(line: u64, text: &str) -> Result<StatementText, PolisError> {
    let cut: String = text.chars().take(StatementText::MAX).collect();
    StatementText::parse(&cut).map_err(|e| error("comments.csv", line, format!("comment-{e}")))
}

/// Each voter's last vote on each statement in `votes.csv` (a later vote replaces an earlier
/// one), ordered by voter and statement.
pub fn votes(input: impl Read) -> Result<Vec<PolisVote>, PolisError> {
    const FILE: &str = "votes.csv";
    let mut table = Table::open(FILE, input)?;
    let [at, statement, voter, vote] =
        ["timestamp", "comment-id", "voter-id", "vote"].map(|name| table.column(name));
    let (at, statement, voter, vote) = (at?, statement?, voter?, vote?);
    let mut last: HashMap<(u64, u64), (PolisVote, u64)> = HashMap::new();
    for row in table.rows() {
        let (line, row) = row?;
        let cast = PolisVote {
            statement: number(FILE, line, "comment-id", field(&row, statement))?,
            voter: number(FILE, line, "voter-id", field(&row, voter))?,
            opinion: opinion(FILE, line, field(&row, vote))?,
            at_ms: number(FILE, line, "timestamp", field(&row, at))?,
        };
        let key = (cast.voter, cast.statement);
        // Later in time wins; between votes of the same moment, the later line.
        let replaces = last
            .get(&key)
            .is_none_or(|(kept, _)| (cast.at_ms, line) >= (kept.at_ms, 0));
        if replaces {
            last.insert(key, (cast, line));
        }
    }
    let mut kept: Vec<PolisVote> = last.into_values().map(|(vote, _)| vote).collect();
    kept.sort_by_key(|vote| (vote.voter, vote.statement));
    Ok(kept)
}

/// The participants of `participants-votes.csv`, in the file's order, each with the group Polis
/// gave them and their votes.
pub fn participants(input: impl Read) -> Result<Vec<PolisParticipant>, PolisError> {
    const FILE: &str = "participants-votes.csv";
    let mut table = Table::open(FILE, input)?;
    let id = table.column("participant")?;
    let group = table.column("group-id")?;
    // Every column whose header is a number is a statement.
    let statements: Vec<(usize, u64)> = table
        .headers
        .iter()
        .enumerate()
        .filter_map(|(at, name)| name.trim().parse::<u64>().ok().map(|s| (at, s)))
        .collect();
    table
        .rows()
        .map(|row| {
            let (line, row) = row?;
            let votes = statements
                .iter()
                .filter(|(at, _)| !field(&row, *at).is_empty())
                .map(|(at, statement)| Ok((*statement, opinion(FILE, line, field(&row, *at))?)))
                .collect::<Result<_, PolisError>>()?;
            let group = match field(&row, group) {
                "" => None,
                text => Some(number(FILE, line, "group-id", text)?),
            };
            Ok(PolisParticipant {
                id: number(FILE, line, "participant", field(&row, id))?,
                group,
                votes,
            })
        })
        .collect()
}

/// The `key,value` pairs of `summary.csv` (topic, description, counts), in the file's order.
pub fn summary(input: impl Read) -> Result<Vec<(String, String)>, PolisError> {
    const FILE: &str = "summary.csv";
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    reader
        .records()
        .map(|row| {
            let row = row.map_err(|e| {
                error(
                    FILE,
                    e.position().map_or(0, csv::Position::line),
                    e.to_string(),
                )
            })?;
            Ok((
                row.get(0).unwrap_or("").trim().to_owned(),
                row.get(1).unwrap_or("").trim().to_owned(),
            ))
        })
        .collect()
}

/// A conversation's statements, votes and (when exported) the groups Polis found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolisConversation {
    pub comments: Vec<PolisComment>,
    /// Each voter's last vote on each statement, shown or hidden.
    pub votes: Vec<PolisVote>,
    /// Each participant Polis put in a group, with that group.
    pub groups: Vec<(u64, u64)>,
}

/// The votes on shown statements, numbered for [`crate::opinion_groups`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedVotes {
    /// Polis's participant id of each participant number.
    pub voters: Vec<u64>,
    /// Polis's comment id of each statement number.
    pub statements: Vec<u64>,
    pub ballots: Vec<Ballot>,
}

impl PolisConversation {
    /// Reads an export: `comments.csv`, and the votes from `votes.csv` when there is one, else
    /// from `participants-votes.csv` (which also gives Polis's groups).
    pub fn read(
        comments_csv: impl Read,
        votes_csv: Option<impl Read>,
        participants_votes_csv: Option<impl Read>,
    ) -> Result<Self, PolisError> {
        let comments = comments(comments_csv)?;
        let participants = participants_votes_csv.map(participants).transpose()?;
        let votes = match (votes_csv, &participants) {
            (Some(file), _) => votes(file)?,
            (None, Some(participants)) => participants
                .iter()
                .flat_map(|p| {
                    p.votes.iter().map(|&(statement, opinion)| PolisVote {
                        statement,
                        voter: p.id,
                        opinion,
                        at_ms: 0,
                    })
                })
                .collect(),
            (None, None) => Vec::new(),
        };
        let groups = participants
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| Some((p.id, p.group?)))
            .collect();
        Ok(Self {
            comments,
            votes,
            groups,
        })
    }

    /// The votes on statements that were not moderated out, numbered in id order.
    pub fn numbered_votes(&self) -> NumberedVotes {
        let hidden: BTreeSet<u64> = self
            .comments
            .iter()
            .filter(|c| c.hidden)
            .map(|c| c.id)
            .collect();
        let shown: Vec<&PolisVote> = self
            .votes
            .iter()
            .filter(|v| !hidden.contains(&v.statement))
            .collect();
        let numbering = |ids: BTreeSet<u64>| -> (Vec<u64>, BTreeMap<u64, usize>) {
            let numbers = ids.iter().enumerate().map(|(at, &id)| (id, at)).collect();
            (ids.into_iter().collect(), numbers)
        };
        let (voters, voter_number) = numbering(shown.iter().map(|v| v.voter).collect());
        let (statements, statement_number) = numbering(shown.iter().map(|v| v.statement).collect());
        let ballots = shown
            .iter()
            .map(|v| Ballot {
                participant: voter_number[&v.voter],
                statement: statement_number[&v.statement],
                opinion: v.opinion,
            })
            .collect();
        NumberedVotes {
            voters,
            statements,
            ballots,
        }
    }

    /// How far `found` (computed from [`Self::numbered_votes`]) agrees with Polis's groups: the
    /// adjusted Rand index over the participants both put in a group, and how many those are.
    pub fn agreement(
        &self,
        numbered: &NumberedVotes,
        found: &OpinionGroups,
    ) -> (Option<f64>, usize) {
        let (ours, theirs): (Vec<usize>, Vec<u64>) = self
            .groups
            .iter()
            .filter_map(|(id, group)| {
                let number = numbered.voters.binary_search(id).ok()?;
                Some(((*found.group_of.get(number)?)?, *group))
            })
            .unzip();
        (adjusted_rand_index(&ours, &theirs), ours.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_vote_replaces_an_earlier_one() {
        let file = "timestamp,datetime,comment-id,voter-id,vote\n\
                    10,x,3,7,1\n\
                    30,x,3,7,-1\n\
                    20,x,3,7,0\n\
                    5,x,4,7,0\n";
        let votes = votes(file.as_bytes()).unwrap();
        assert_eq!(
            votes
                .iter()
                .map(|v| (v.statement, v.opinion))
                .collect::<Vec<_>>(),
            [(3, Opinion::Disagree), (4, Opinion::Pass)]
        );
    }

    #[test]
    fn a_bad_row_names_its_file_line_and_reason() {
        let file = "timestamp,datetime,comment-id,voter-id,vote\n10,x,3,7,1\n11,x,3,8,2\n";
        let error = votes(file.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "votes.csv, line 3: vote \"2\" is not 1, -1 or 0"
        );
        let missing = comments("timestamp,comment-id\n1,2\n".as_bytes()).unwrap_err();
        assert_eq!(missing.line, 1);
        assert!(missing.reason.contains("author-id"), "{missing}");
        let ragged = participants("participant,group-id,0\n1,0,1,1\n".as_bytes()).unwrap_err();
        assert_eq!((ragged.file, ragged.line), ("participants-votes.csv", 2));
    }

    #[test]
    fn participants_keep_their_group_and_only_the_votes_they_cast() {
        let file = "participant,group-id,n-votes,0,1,2\n0,1,2,1,,-1\n1,,0,,,\n";
        let read = participants(file.as_bytes()).unwrap();
        assert_eq!(read[0].group, Some(1));
        assert_eq!(read[0].votes, [(0, Opinion::Agree), (2, Opinion::Disagree)]);
        assert_eq!(read[1].group, None);
        assert!(read[1].votes.is_empty());
    }

    #[test]
    fn a_comment_without_text_names_its_line_and_a_long_one_is_cut() {
        let header =
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n";
        let long = "a".repeat(StatementText::MAX + 10);
        let file = format!("{header}1,x,0,0,0,0,0,{long}\n2,x,1,0,0,0,0,\"  \"\n");
        let error = comments(file.as_bytes()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "comments.csv, line 3: comment-body: must not be empty"
        );
        let read = comments(format!("{header}1,x,0,0,0,0,0,{long}\n").as_bytes()).unwrap();
        assert_eq!(read[0].body.as_str().len(), StatementText::MAX);
    }
}
