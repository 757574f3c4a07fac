//! Dialogue: comments on ideas and challenges, their editing and deletion, and following ideas.

use super::*;

#[derive(Deserialize)]
pub(super) struct CommentFields {
    #[serde(default)]
    pub(super) body: String,
    /// Empty for a comment on the idea itself.
    #[serde(default)]
    pub(super) parent_id: String,
    /// The checkbox staff tick for an official answer (present only when ticked).
    #[serde(default)]
    pub(super) official: Option<String>,
}

impl CommentFields {
    pub(super) fn parent(&self) -> Result<Option<i64>, AppError> {
        match self.parent_id.trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid("parent_id", "must be a comment number")),
        }
    }
}

/// Shows the page a discussion is on, with the message of a refusal a person can act on.
pub(super) async fn discussion_page(
    state: &WebState,
    actor: &Actor,
    subject: Subject,
    error: FormError,
) -> PageResult {
    match subject {
        Subject::Idea(id) => idea_page(state, Some(actor), id, None, error).await,
        Subject::Challenge(id) => {
            let forms = SpaceForms {
                error,
                idea: None,
                challenge: None,
            };
            challenge_page(state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

pub(super) async fn comment_on(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
    fields: &CommentFields,
) -> PageResult {
    let actor = require(actor)?;
    let result = match fields.parent() {
        Ok(parent) => {
            state
                .app
                .add_comment(
                    actor,
                    subject,
                    parent,
                    &fields.body,
                    fields.official.is_some(),
                )
                .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(comment) => Ok(Redirect::to(&format!(
            "{}?done=commented#comment-{}",
            subject.path(),
            comment.id
        ))
        .into_response()),
        Err(error) => discussion_page(state, actor, subject, FormError::from_app(error)?).await,
    }
}

pub(super) async fn add_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    comment_on(&state, &actor, Subject::Idea(id), &fields).await
}

pub(super) async fn add_challenge_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    comment_on(&state, &actor, Subject::Challenge(id), &fields).await
}

pub(super) async fn edit_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.edit_comment(actor, id, &fields.body).await {
        Ok(comment) => Ok(Redirect::to(&format!(
            "{}?done=edited#comment-{id}",
            comment.subject.path()
        ))
        .into_response()),
        Err(error) => {
            let form_error = FormError::from_app(error)?;
            let subject = state.app.comment_subject(actor, id).await?;
            discussion_page(&state, actor, subject, form_error).await
        }
    }
}

/// Asks before a comment is deleted.
pub(super) async fn confirm_comment_deletion(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let comment = state.app.deletable_comment(actor, id).await?;
    ok(&ConfirmPage {
        layout: layout(&state, Some(actor)).await?,
        heading: "Delete this comment?",
        text: "Everyone will see that a comment was deleted here, but not what it said. \
               This cannot be undone.",
        action: format!("/comments/{id}/delete"),
        submit: "Delete comment",
        back: Some(format!("{}#comment-{id}", comment.subject.path())),
        destructive: true,
    })
}

pub(super) async fn delete_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let subject = state.app.delete_comment(actor, id).await?;
    Ok(Redirect::to(&format!("{}?done=deleted", subject.path())).into_response())
}

pub(super) async fn follow(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.set_following(actor, id, true).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=following")).into_response())
}

pub(super) async fn unfollow(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.set_following(actor, id, false).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=unfollowed")).into_response())
}
