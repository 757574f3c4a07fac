//! Challenges: the problems a space frames, created and edited by its curators.

use super::*;

struct ValidChallenge {
    title: Title,
    problem: Markdown,
    questions: String,
    tags: Tags,
    rules: SupportRules,
    opens_at: Option<Timestamp>,
    closes_at: Option<Timestamp>,
}

/// Dates are whole days in the organisation's time zone: a challenge opens at the start of its
/// first day and closes at the end of its last.
fn validate_challenge(input: &ChallengeInput<'_>, zone: TimeZone) -> AppResult<ValidChallenge> {
    let questions: Vec<&str> = input
        .questions
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .collect();
    if questions.len() > 10 || questions.iter().any(|q| q.chars().count() > 300) {
        return Err(AppError::invalid(
            "questions",
            "at most 10 questions of up to 300 characters each",
        ));
    }
    let rules = if input.tiers.trim().is_empty() {
        SupportRules::default()
    } else {
        SupportRules::parse(input.tiers)?
    };
    let opens_at = zone.start_of_day("opens_at", input.opens_at)?;
    let closes_at = zone.end_of_day("closes_at", input.closes_at)?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return Err(AppError::invalid(
            "closes_at",
            "must not be before the opening date",
        ));
    }
    Ok(ValidChallenge {
        title: Title::parse(input.title)?,
        problem: Markdown::parse("problem", input.problem, true, MAX_BODY_CHARS)?,
        questions: questions.join("\n"),
        tags: Tags::parse(input.tags)?,
        rules,
        opens_at,
        closes_at,
    })
}

impl App {
    pub(crate) fn require_curator(view: &SpaceView) -> AppResult<()> {
        if view.can_curate {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn challenges(&self, actor: Option<&Actor>, slug: &str) -> AppResult<Vec<Challenge>> {
        let view = self.space(actor, slug).await?;
        Ok(self.store.challenges(view.space.id).await?)
    }

    /// A challenge and its space, if the actor may see them.
    pub async fn challenge(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<(SpaceView, Challenge)> {
        let challenge = self.store.challenge(id).await?.ok_or(AppError::NotFound)?;
        let view = self.space_by_id(actor, challenge.space_id).await?;
        Ok((view, challenge))
    }

    pub async fn create_challenge(
        &self,
        actor: &Actor,
        slug: &str,
        input: &ChallengeInput<'_>,
    ) -> AppResult<Challenge> {
        let view = self.space(Some(actor), slug).await?;
        Self::require_curator(&view)?;
        let valid = validate_challenge(input, self.time_zone().await?)?;
        let tags = valid.tags.to_list();
        let tiers = valid.rules.to_string();
        let fields = ChallengeFields {
            title: valid.title.as_str(),
            problem: &valid.problem.source,
            problem_html: &valid.problem.html,
            questions: &valid.questions,
            tags: &tags,
            tiers: &tiers,
            opens_at: valid.opens_at,
            closes_at: valid.closes_at,
        };
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_challenge(view.space.id, &fields, actor.id, self.now())
            .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "challenge.create",
            &format!("challenge:{id}"),
            valid.title.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.store.challenge(id).await?.ok_or(AppError::NotFound)
    }

    pub async fn update_challenge(
        &self,
        actor: &Actor,
        id: i64,
        input: &ChallengeInput<'_>,
    ) -> AppResult<Challenge> {
        let (view, _) = self.challenge(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let valid = validate_challenge(input, self.time_zone().await?)?;
        let tags = valid.tags.to_list();
        let tiers = valid.rules.to_string();
        let fields = ChallengeFields {
            title: valid.title.as_str(),
            problem: &valid.problem.source,
            problem_html: &valid.problem.html,
            questions: &valid.questions,
            tags: &tags,
            tiers: &tiers,
            opens_at: valid.opens_at,
            closes_at: valid.closes_at,
        };
        let mut tx = self.store.begin().await?;
        tx.update_challenge(id, &fields).await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "challenge.update",
            &format!("challenge:{id}"),
            valid.title.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.store.challenge(id).await?.ok_or(AppError::NotFound)
    }
}
