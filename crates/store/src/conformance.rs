//! The behaviour every backend must show. Each backend's test file expands
//! [`conformance_suite!`](crate::conformance_suite) with a function that opens a fresh, empty store.

// Test support: a failed expectation is meant to panic the calling test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cocreate_core::{
    AccountKind, Audience, FeedbackChannel, FeedbackStatus, OrgRole, ProductStatus, Stage,
    Timestamp,
};

use crate::*;

/// Expands to one `#[tokio::test]` per conformance case, each on a store from `$fresh().await`
/// (an `Option<Arc<dyn Store>>`; `None` skips, e.g. when no PostgreSQL server is configured).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@cases $fresh;
            organisation_defaults_and_updates,
            accounts_are_unique_by_email,
            handles_are_unique_and_found,
            accounts_page_in_id_order,
            sessions_expire_and_end,
            account_tokens_are_single_use,
            account_tokens_are_revoked_together,
            invitations_accept_once,
            api_tokens_revoke_and_touch,
            spaces_and_members,
            audit_log_pages_newest_first,
            outbox_leases_retries_and_dies,
            dropped_transaction_writes_nothing,
            concurrent_writers_keep_exact_counts,
            challenges_are_kept_and_edited,
            ideas_list_by_order_filter_and_cursor,
            a_persons_ideas_page_newest_first,
            supports_are_one_per_account,
            concurrent_supports_count_exactly,
            merging_moves_supports_without_double_counting,
            stage_history_and_deadlines,
            search_finds_published_ideas_best_first,
            the_search_log_follows_what_search_may_find,
            comments_follows_and_notifications,
            challenges_have_their_own_discussion,
            flags_hide_and_resolve,
            edits_keep_revisions_and_the_search_index,
            co_authors_are_invited_then_accept,
            ranks_are_written_only_when_they_move,
            rank_inputs_count_supports_by_time,
            retention_removes_exactly_what_expired,
            an_idempotency_key_is_marked_only_by_its_holder,
            products_count_their_feedback,
        );
        $crate::conformance_suite!(@pairs $fresh;
            export_and_import_reproduce_every_table,
        );
    };
    (@pairs $fresh:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let (Some(store), Some(empty)) = ($fresh().await, $fresh().await) {
                    $crate::conformance::$case(store, empty).await;
                }
            }
        )+
    };
    (@cases $fresh:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $fresh().await {
                    $crate::conformance::$case(store).await;
                }
            }
        )+
    };
}

const T0: Timestamp = Timestamp(1_700_000_000_000);

async fn account(store: &dyn Store, email: &str) -> Account {
    person(store, email, "ada").await
}

/// A customer with this address and handle.
async fn person(store: &dyn Store, email: &str, handle: &str) -> Account {
    let mut tx = store.begin().await.unwrap();
    let account = tx
        .insert_account(&NewAccount {
            email,
            name: "Ada Lovelace",
            handle,
            password_hash: "$argon2id$test",
            kind: AccountKind::Customer,
            role: OrgRole::Member,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    account
}

/// The addresses news of `kind` about the idea goes to (its followers for a comment, its
/// supporters for a decision), in account order, read the way the news job reads them.
async fn recipients(store: &dyn Store, kind: FanoutKind, idea_id: i64) -> Vec<String> {
    let mut tx = store.begin().await.unwrap();
    tx.insert_fanout(&NewFanout {
        kind,
        idea_id,
        comment_id: None,
        skip_account_id: None,
        subject: "news",
        body: "",
        created_at: T0,
        event_id: None,
    })
    .await
    .unwrap();
    let fanout = tx
        .next_fanout()
        .await
        .unwrap()
        .expect("the event just written");
    let mut emails = Vec::new();
    let mut after = fanout.clone();
    loop {
        let batch = tx.fanout_recipients(&after, 7).await.unwrap();
        emails.extend(batch.iter().map(|r| r.email.clone()));
        match batch.last() {
            Some(last) if batch.len() == 7 => after.after_account_id = last.account_id,
            _ => return emails,
        }
    }
}

pub async fn organisation_defaults_and_updates(store: Arc<dyn Store>) {
    let org = store.organisation().await.unwrap();
    assert_eq!(org.name, "Cocreate");
    assert!(!org.has_logo);
    assert_eq!(org.time_zone, "UTC");
    let mut tx = store.begin().await.unwrap();
    tx.update_organisation("Acme", "We make things", "Europe/Paris", T0)
        .await
        .unwrap();
    let logo = Logo {
        content_type: "image/png".into(),
        bytes: vec![0x89, b'P', b'N', b'G', 0, 1, 2],
    };
    tx.set_organisation_logo(Some(&logo), T0).await.unwrap();
    tx.commit().await.unwrap();
    let org = store.organisation().await.unwrap();
    assert_eq!(
        (
            org.name.as_str(),
            org.description.as_str(),
            org.time_zone.as_str()
        ),
        ("Acme", "We make things", "Europe/Paris")
    );
    assert!(org.has_logo);
    assert_eq!(store.organisation_logo().await.unwrap(), Some(logo));
}

pub async fn accounts_are_unique_by_email(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    assert_eq!(
        store.account_by_email("ada@example.org").await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        store.account_by_id(ada.id).await.unwrap(),
        Some(ada.clone())
    );
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_account(&NewAccount {
            email: "ada@example.org",
            name: "Other",
            handle: "other",
            password_hash: "x",
            kind: AccountKind::Employee,
            role: OrgRole::Admin,
            created_at: T0,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { field: "email" }),
        "{err:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.set_role(ada.id, OrgRole::Moderator).await.unwrap();
    tx.set_kind(ada.id, AccountKind::Partner).await.unwrap();
    tx.set_email(ada.id, "ada@lovelace.org").await.unwrap();
    tx.set_password_hash(ada.id, "new-hash").await.unwrap();
    tx.commit().await.unwrap();
    let changed = store.account_by_id(ada.id).await.unwrap().unwrap();
    assert_eq!(changed.role, OrgRole::Moderator);
    assert_eq!(changed.kind, AccountKind::Partner);
    assert_eq!(changed.email, "ada@lovelace.org");
    assert_eq!(changed.password_hash, "new-hash");
    assert_eq!(
        store.account_by_email("ada@example.org").await.unwrap(),
        None
    );
    assert_eq!(store.count_accounts().await.unwrap(), 1);
}

pub async fn handles_are_unique_and_found(store: Arc<dyn Store>) {
    let first = account(&*store, "ada@example.org").await;
    let second = account(&*store, "ada2@example.org").await;
    assert_eq!(first.handle, "ada");
    assert_eq!(
        second.handle,
        format!("ada-{}", second.id),
        "a taken handle gets the account's number"
    );
    assert_eq!(
        store
            .account_by_id(second.id)
            .await
            .unwrap()
            .unwrap()
            .handle,
        second.handle
    );
    let found = store
        .accounts_by_handles(&["ada".to_owned(), second.handle.clone(), "nobody".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|a| a.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
    assert!(store.accounts_by_handles(&[]).await.unwrap().is_empty());
}

pub async fn accounts_page_in_id_order(store: Arc<dyn Store>) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(account(&*store, &format!("p{i}@example.org")).await.id);
    }
    let first = store.accounts(0, 3).await.unwrap();
    assert_eq!(first.iter().map(|a| a.id).collect::<Vec<_>>(), ids[..3]);
    let rest = store.accounts(first[2].id, 3).await.unwrap();
    assert_eq!(rest.iter().map(|a| a.id).collect::<Vec<_>>(), ids[3..]);
}

pub async fn sessions_expire_and_end(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let mut tx = store.begin().await.unwrap();
    for hash in ["s1", "s2", "s3"] {
        tx.insert_session(&Session {
            token_hash: hash.into(),
            account_id: ada.id,
            created_at: T0,
            expires_at: T0.plus_minutes(60),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let (session, who) = store.session("s1", T0).await.unwrap().unwrap();
    assert_eq!((session.account_id, who.id), (ada.id, ada.id));
    assert!(
        store
            .session("s1", T0.plus_minutes(61))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store.session("nope", T0).await.unwrap().is_none());
    let mut tx = store.begin().await.unwrap();
    tx.delete_session("s1").await.unwrap();
    assert_eq!(tx.delete_sessions_of(ada.id, Some("s2")).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(store.session("s1", T0).await.unwrap().is_none());
    assert!(store.session("s2", T0).await.unwrap().is_some());
    assert!(store.session("s3", T0).await.unwrap().is_none());
}

pub async fn account_tokens_are_single_use(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let token = AccountToken {
        token_hash: "reset-1".into(),
        account_id: ada.id,
        purpose: TokenPurpose::PasswordReset,
        new_email: None,
        created_at: T0,
        expires_at: T0.plus_minutes(30),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_account_token(&token).await.unwrap();
    tx.insert_account_token(&AccountToken {
        token_hash: "change-1".into(),
        purpose: TokenPurpose::EmailChange,
        new_email: Some("new@example.org".into()),
        ..token.clone()
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let wrong_purpose = tx
        .consume_account_token("reset-1", TokenPurpose::EmailChange, T0)
        .await
        .unwrap();
    assert!(wrong_purpose.is_none());
    let expired = tx
        .consume_account_token("change-1", TokenPurpose::EmailChange, T0.plus_minutes(31))
        .await
        .unwrap();
    assert!(expired.is_none());
    let used = tx
        .consume_account_token("reset-1", TokenPurpose::PasswordReset, T0)
        .await
        .unwrap();
    assert_eq!(used, Some(token));
    let again = tx
        .consume_account_token("reset-1", TokenPurpose::PasswordReset, T0)
        .await
        .unwrap();
    assert!(again.is_none(), "a token works once");
    let change = tx
        .consume_account_token("change-1", TokenPurpose::EmailChange, T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(change.new_email.as_deref(), Some("new@example.org"));
    tx.commit().await.unwrap();
}

pub async fn account_tokens_are_revoked_together(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let bob = account(&*store, "bob@example.org").await;
    let token = |hash: &str, account_id: i64, purpose: TokenPurpose| AccountToken {
        token_hash: hash.into(),
        account_id,
        purpose,
        new_email: None,
        created_at: T0,
        expires_at: T0.plus_minutes(30),
    };
    let mut tx = store.begin().await.unwrap();
    for open in [
        token("ada-reset-1", ada.id, TokenPurpose::PasswordReset),
        token("ada-reset-2", ada.id, TokenPurpose::PasswordReset),
        token("ada-change", ada.id, TokenPurpose::EmailChange),
        token("bob-reset", bob.id, TokenPurpose::PasswordReset),
    ] {
        tx.insert_account_token(&open).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    tx.consume_account_token("ada-reset-1", TokenPurpose::PasswordReset, T0)
        .await
        .unwrap()
        .unwrap();
    let revoked = tx.revoke_account_tokens(ada.id, T0).await.unwrap();
    assert_eq!(revoked, 2, "the used token is not counted again");
    for (hash, purpose) in [
        ("ada-reset-2", TokenPurpose::PasswordReset),
        ("ada-change", TokenPurpose::EmailChange),
    ] {
        let used = tx.consume_account_token(hash, purpose, T0).await.unwrap();
        assert!(used.is_none(), "{hash} no longer works");
    }
    let other = tx
        .consume_account_token("bob-reset", TokenPurpose::PasswordReset, T0)
        .await
        .unwrap();
    assert!(other.is_some(), "another account's link still works");
    tx.commit().await.unwrap();
}

pub async fn invitations_accept_once(store: Arc<dyn Store>) {
    let admin = account(&*store, "admin@example.org").await;
    let newcomer = account(&*store, "new@example.org").await;
    let mut tx = store.begin().await.unwrap();
    let invitation = tx
        .insert_invitation(&NewInvitation {
            email: "new@example.org",
            kind: AccountKind::Employee,
            role: OrgRole::Moderator,
            token_hash: "inv-1",
            invited_by: admin.id,
            created_at: T0,
            expires_at: T0.plus_minutes(60),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.open_invitation("inv-1", T0).await.unwrap(),
        Some(invitation.clone())
    );
    assert!(
        store
            .open_invitation("inv-1", T0.plus_minutes(61))
            .await
            .unwrap()
            .is_none()
    );
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.accept_invitation(invitation.id, newcomer.id, T0)
            .await
            .unwrap()
    );
    assert!(
        !tx.accept_invitation(invitation.id, newcomer.id, T0)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    assert!(store.open_invitation("inv-1", T0).await.unwrap().is_none());
    let listed = store.invitations().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].accepted_at, Some(T0));
}

pub async fn api_tokens_revoke_and_touch(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let mut tx = store.begin().await.unwrap();
    let token = tx
        .insert_api_token(&NewApiToken {
            account_id: ada.id,
            name: "CRM sync",
            prefix: "cct_abcd",
            token_hash: "tok-1",
            created_at: T0,
        })
        .await
        .unwrap();
    tx.touch_api_token(token.id, T0.plus_minutes(5))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (found, owner) = store.api_token("tok-1").await.unwrap().unwrap();
    assert_eq!(owner.id, ada.id);
    assert_eq!(found.last_used_at, Some(T0.plus_minutes(5)));
    let mut tx = store.begin().await.unwrap();
    assert!(
        !tx.revoke_api_token(token.id, eve.id, T0).await.unwrap(),
        "not eve's token"
    );
    assert!(tx.revoke_api_token(token.id, ada.id, T0).await.unwrap());
    assert!(
        !tx.revoke_api_token(token.id, ada.id, T0).await.unwrap(),
        "already revoked"
    );
    tx.commit().await.unwrap();
    assert!(store.api_token("tok-1").await.unwrap().is_none());
    let listed = store.api_tokens(ada.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].revoked_at, Some(T0));
    assert!(store.api_tokens(eve.id).await.unwrap().is_empty());
}

pub async fn spaces_and_members(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let mut tx = store.begin().await.unwrap();
    let space = tx
        .insert_space(&NewSpace {
            slug: "lab",
            name: "Lab",
            description: "Secret things",
            audience: Audience::InviteOnly,
            created_by: ada.id,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_space(&NewSpace {
            slug: "lab",
            name: "Other",
            description: "",
            audience: Audience::Public,
            created_by: ada.id,
            created_at: T0,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { field: "slug" }),
        "{err:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.add_space_member(space.id, ada.id, T0).await.unwrap());
    assert!(!tx.add_space_member(space.id, ada.id, T0).await.unwrap());
    tx.update_space(space.id, "Lab 2", "Less secret", Audience::Internal)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.is_space_member(space.id, ada.id).await.unwrap());
    assert_eq!(
        store.space_member_ids(ada.id).await.unwrap(),
        vec![space.id]
    );
    assert_eq!(store.space_members(space.id).await.unwrap()[0].id, ada.id);
    let updated = store.space_by_slug("lab").await.unwrap().unwrap();
    assert_eq!(
        store.space_by_id(space.id).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(
        (updated.name.as_str(), updated.audience),
        ("Lab 2", Audience::Internal)
    );
    assert_eq!(store.spaces().await.unwrap().len(), 1);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.remove_space_member(space.id, ada.id).await.unwrap());
    tx.commit().await.unwrap();
    assert!(!store.is_space_member(space.id, ada.id).await.unwrap());
    assert!(store.space_by_slug("nope").await.unwrap().is_none());
}

pub async fn audit_log_pages_newest_first(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let mut tx = store.begin().await.unwrap();
    for i in 0..5 {
        tx.insert_audit(&NewAudit {
            actor_id: if i == 0 { None } else { Some(ada.id) },
            action: "space.create",
            target: &format!("space:{i}"),
            detail: "",
            created_at: T0,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let page = store.audit_log(i64::MAX, 3).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
        ["space:4", "space:3", "space:2"]
    );
    assert_eq!(page[0].actor_name.as_deref(), Some("Ada Lovelace"));
    let rest = store.audit_log(page[2].id, 3).await.unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1].actor_id, None);
}

pub async fn outbox_leases_retries_and_dies(store: Arc<dyn Store>) {
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .enqueue_mail(&NewMail {
            to_address: "a@example.org",
            subject: "One",
            body: "1",
            created_at: T0,
        })
        .await
        .unwrap();
    tx.enqueue_mail(&NewMail {
        to_address: "b@example.org",
        subject: "Two",
        body: "2",
        created_at: T0,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let claimed = tx.claim_mail(T0, T0.plus_minutes(1), 1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].id, claimed[0].attempts), (first, 1));
    // The leased mail is not handed out again while its lease lasts.
    let mut tx = store.begin().await.unwrap();
    let second = tx.claim_mail(T0, T0.plus_minutes(1), 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(second[0].id, first);
    tx.finish_mail(second[0].id, &MailOutcome::Sent, T0)
        .await
        .unwrap();
    let retry_at = T0.plus_minutes(5);
    tx.finish_mail(
        first,
        &MailOutcome::Retry {
            error: "451 try later".into(),
            retry_at,
        },
        T0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.claim_mail(T0.plus_minutes(4), T0.plus_minutes(6), 10)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let due = tx
        .claim_mail(retry_at, retry_at.plus_minutes(1), 10)
        .await
        .unwrap();
    assert_eq!((due.len(), due[0].attempts), (1, 2));
    tx.finish_mail(
        first,
        &MailOutcome::Dead {
            error: "550 no such user".into(),
        },
        retry_at,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let outbox = store.outbox(i64::MAX, 10).await.unwrap();
    let dead = outbox.iter().find(|m| m.id == first).unwrap();
    assert_eq!(dead.status, MailStatus::Dead);
    assert_eq!(dead.last_error.as_deref(), Some("550 no such user"));
    assert!(outbox.iter().any(|m| m.status == MailStatus::Sent));
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.claim_mail(T0.plus_minutes(600), T0.plus_minutes(601), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn dropped_transaction_writes_nothing(store: Arc<dyn Store>) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&NewAccount {
        email: "ghost@example.org",
        name: "Ghost",
        handle: "ghost",
        password_hash: "x",
        kind: AccountKind::Customer,
        role: OrgRole::Member,
        created_at: T0,
    })
    .await
    .unwrap();
    tx.update_organisation("Half-written", "", "UTC", T0)
        .await
        .unwrap();
    drop(tx);
    assert!(
        store
            .account_by_email("ghost@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.organisation().await.unwrap().name, "Cocreate");
    // The store stays usable after the rollback.
    account(&*store, "after@example.org").await;
}

pub async fn concurrent_writers_keep_exact_counts(store: Arc<dyn Store>) {
    const WRITERS: usize = 24;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..WRITERS {
        let store = store.clone();
        tasks.spawn(async move {
            let mut tx = store.begin().await?;
            tx.insert_account(&NewAccount {
                email: &format!("writer{i}@example.org"),
                name: "Writer",
                // All want the same handle: none may fail for it.
                handle: "writer",
                password_hash: "x",
                kind: AccountKind::Customer,
                role: OrgRole::Member,
                created_at: T0,
            })
            .await?;
            tx.insert_audit(&NewAudit {
                actor_id: None,
                action: "test",
                target: "t",
                detail: "",
                created_at: T0,
            })
            .await?;
            tx.commit().await
        });
    }
    // Everyone also races for one address: exactly one wins.
    for _ in 0..WRITERS {
        let store = store.clone();
        tasks.spawn(async move {
            let mut tx = store.begin().await?;
            tx.insert_account(&NewAccount {
                email: "same@example.org",
                name: "Racer",
                handle: "racer",
                password_hash: "x",
                kind: AccountKind::Customer,
                role: OrgRole::Member,
                created_at: T0,
            })
            .await?;
            tx.commit().await
        });
    }
    let mut conflicts = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => {}
            Err(StoreError::Conflict { field: "email" }) => conflicts += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(conflicts, WRITERS - 1);
    assert_eq!(store.count_accounts().await.unwrap(), WRITERS as i64 + 1);
    assert_eq!(
        store.audit_log(i64::MAX, 1000).await.unwrap().len(),
        WRITERS
    );
}

async fn space(store: &dyn Store, created_by: i64) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let space = tx
        .insert_space(&NewSpace {
            slug: "ideas",
            name: "Ideas",
            description: "",
            audience: Audience::Public,
            created_by,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    space.id
}

async fn idea(
    store: &dyn Store,
    space_id: i64,
    author_id: i64,
    title: &str,
    tags: &str,
    at: Timestamp,
) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .insert_idea(&NewIdea {
            space_id,
            challenge_id: None,
            title,
            body: "Body",
            body_html: "<p>Body</p>",
            tags,
            author_id,
            stage: Stage::Gathering,
            tiers: "3/10, 5/10",
            tier_deadline: Some(at.plus_minutes(60)),
            hot: 0,
            created_at: at,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn a_persons_ideas_page_newest_first(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let grace = person(&*store, "grace@example.org", "grace").await;
    let mut tx = store.begin().await.unwrap();
    let other = tx
        .insert_space(&NewSpace {
            slug: "other",
            name: "Other",
            description: "",
            audience: Audience::Internal,
            created_by: ada.id,
            created_at: T0,
        })
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let ideas_space = space(&*store, ada.id).await;
    let mut mine = Vec::new();
    for n in 0..3 {
        mine.push(idea(&*store, ideas_space, ada.id, &format!("Mine {n}"), "", T0).await);
    }
    let elsewhere = idea(&*store, other, ada.id, "Elsewhere", "", T0).await;
    let theirs = idea(&*store, ideas_space, grace.id, "Theirs", "", T0).await;
    let hidden = idea(&*store, ideas_space, ada.id, "Hidden", "", T0).await;
    let draft = idea(&*store, ideas_space, ada.id, "Draft", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_hidden(ContentKind::Idea, hidden, Some((T0, "spam")))
        .await
        .unwrap();
    let as_draft = IdeaProgress {
        stage: Stage::Draft,
        tier: 0,
        tier_deadline: None,
    };
    tx.set_idea_progress(draft, &as_draft, T0).await.unwrap();
    tx.commit().await.unwrap();

    let ids = |ideas: Vec<Idea>| ideas.into_iter().map(|i| i.id).collect::<Vec<_>>();
    let first = store
        .ideas_by_author(ada.id, &[ideas_space], None, 2)
        .await
        .unwrap();
    assert_eq!(ids(first), [mine[2], mine[1]]);
    let rest = store
        .ideas_by_author(ada.id, &[ideas_space], Some(mine[1]), 2)
        .await
        .unwrap();
    assert_eq!(ids(rest), [mine[0]]);
    let everywhere = store
        .ideas_by_author(ada.id, &[ideas_space, other], None, 10)
        .await
        .unwrap();
    assert_eq!(ids(everywhere), [elsewhere, mine[2], mine[1], mine[0]]);
    let theirs_listed = store
        .ideas_by_author(grace.id, &[ideas_space], None, 10)
        .await
        .unwrap();
    assert_eq!(ids(theirs_listed), [theirs]);
    assert!(
        store
            .ideas_by_author(ada.id, &[], None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A search of one space for every idea, comment or challenge holding `word`.
pub fn word_search(space_id: i64, word: &str) -> SearchQuery {
    SearchQuery {
        space_ids: vec![space_id],
        terms: vec![word.to_owned()],
        any: false,
        drafter: None,
        challenge_id: None,
        stage: None,
        tag: None,
        limit: 10,
    }
}

async fn support(
    store: &dyn Store,
    idea_id: i64,
    account_id: i64,
) -> Result<Option<i64>, StoreError> {
    let mut tx = store.begin().await?;
    let locked = tx.lock_ideas(&[idea_id]).await?;
    let gained = tx.add_supports(&[(idea_id, account_id)], T0).await?;
    let counts = supporter_counts(&locked, &gained);
    tx.set_supporters(&counts, T0).await?;
    tx.commit().await?;
    Ok(counts.first().map(|count| count.supporters))
}

/// The counts after `gained` supports of `locked` ideas, as the app computes them.
fn supporter_counts(locked: &[Idea], gained: &[(i64, i64)]) -> Vec<SupporterCount> {
    gained
        .iter()
        .filter_map(|&(idea_id, gained)| {
            let idea = locked.iter().find(|i| i.id == idea_id)?;
            Some(SupporterCount {
                idea_id,
                supporters: idea.supporters + gained,
                hot: idea.hot + 10 * gained,
                trending: idea.trending + gained,
            })
        })
        .collect()
}

pub async fn challenges_are_kept_and_edited(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let fields = ChallengeFields {
        title: "Lighter tents",
        problem: "**Why** weight matters",
        problem_html: "<p><strong>Why</strong> weight matters</p>",
        questions: "What would you leave behind?\nWhat must stay?",
        tags: "tents,weight",
        tiers: "100/60, 1000/365",
        opens_at: Some(T0),
        closes_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .insert_challenge(space_id, &fields, ada.id, T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.challenge(id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.title.as_str(),
            stored.tags.as_str(),
            stored.opens_at,
            stored.closes_at
        ),
        ("Lighter tents", "tents,weight", Some(T0), None)
    );
    let mut tx = store.begin().await.unwrap();
    tx.update_challenge(
        id,
        &ChallengeFields {
            title: "Lighter packs",
            closes_at: Some(T0.plus_minutes(5)),
            ..fields
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let listed = store.challenges(space_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].title.as_str(), listed[0].closes_at),
        ("Lighter packs", Some(T0.plus_minutes(5)))
    );
    assert!(store.challenge(id + 1000).await.unwrap().is_none());
    assert_eq!(
        store.challenge_titles(&[id + 1000, id]).await.unwrap(),
        vec![(id, "Lighter packs".to_owned())],
        "titles are looked up by id and unknown ids are left out"
    );
    assert!(store.challenge_titles(&[]).await.unwrap().is_empty());
}

pub async fn ideas_list_by_order_filter_and_cursor(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let tags = if i % 2 == 0 {
            ",tents,"
        } else {
            ",stoves,tents-2,"
        };
        ids.push(
            idea(
                &*store,
                space_id,
                ada.id,
                &format!("Idea {i}"),
                tags,
                T0.plus_minutes(i),
            )
            .await,
        );
    }
    // Supporters: idea 1 has 2, idea 3 has 1.
    for (idea_index, who) in [(1, "s1"), (1, "s2"), (3, "s3")] {
        let supporter = account(&*store, &format!("{who}@example.org")).await;
        support(&*store, ids[idea_index], supporter.id)
            .await
            .unwrap();
    }
    let query = IdeaQuery {
        space_id,
        challenge_id: None,
        stage: None,
        tag: None,
        order: IdeaOrder::Newest,
        viewer_id: None,
        all_drafts: false,
        after: None,
        limit: 2,
    };
    let first = store.ideas(&query).await.unwrap();
    assert_eq!(
        first.iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[4], ids[3]]
    );
    assert_eq!(first[0].author_name, "Ada Lovelace");
    let after = Some((first[1].created_at.millis(), first[1].id));
    let second = store
        .ideas(&IdeaQuery {
            after,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        second.iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
    let top = store
        .ideas(&IdeaQuery {
            order: IdeaOrder::Top,
            limit: 10,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        top[..2].iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[1], ids[3]]
    );
    assert_eq!(top.len(), 5);
    let top_after = store
        .ideas(&IdeaQuery {
            order: IdeaOrder::Top,
            after: Some((1, ids[3])),
            limit: 10,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        top_after.iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[4], ids[2], ids[0]],
        "ties by id, newest first"
    );
    let tagged = store
        .ideas(&IdeaQuery {
            tag: Some("tents".into()),
            limit: 10,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        tagged.iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[4], ids[2], ids[0]],
        "a tag matches whole tags only"
    );
    let drafts = store
        .ideas(&IdeaQuery {
            stage: Some(Stage::Draft),
            limit: 10,
            ..query.clone()
        })
        .await
        .unwrap();
    assert!(drafts.is_empty());
    let supported = store
        .supported_among(account(&*store, "x@example.org").await.id, &ids)
        .await
        .unwrap();
    assert!(supported.is_empty());
    let s1 = store
        .account_by_email("s1@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.supported_among(s1.id, &ids).await.unwrap(),
        vec![ids[1]]
    );
    assert_eq!(
        store.supported_among(s1.id, &[]).await.unwrap(),
        Vec::<i64>::new()
    );
}

pub async fn supports_are_one_per_account(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    assert_eq!(support(&*store, id, ada.id).await.unwrap(), Some(1));
    assert_eq!(support(&*store, id, ada.id).await.unwrap(), None);
    assert_eq!(
        recipients(&*store, FanoutKind::Decision, id).await,
        vec!["ada@example.org".to_owned()]
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.remove_support(id, ada.id).await.unwrap(), Some(0));
    assert_eq!(tx.remove_support(id, ada.id).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert_eq!(store.idea(id).await.unwrap().unwrap().supporters, 0);

    // Many at once: supports already recorded are skipped, counts come back per idea.
    let bob = account(&*store, "bob@example.org").await;
    let other = idea(&*store, space_id, ada.id, "Other", "", T0).await;
    support(&*store, other, bob.id).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_ideas(&[other, id, id + 1000]).await.unwrap();
    assert_eq!(
        locked.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![id.min(other), id.max(other)]
    );
    let mut gained = tx
        .add_supports(
            &[(id, ada.id), (id, bob.id), (other, bob.id), (other, ada.id)],
            T0,
        )
        .await
        .unwrap();
    gained.sort_unstable();
    let mut expected = vec![(id, 2), (other, 1)];
    expected.sort_unstable();
    assert_eq!(gained, expected);
    assert!(
        tx.add_supports(&[(id, ada.id)], T0)
            .await
            .unwrap()
            .is_empty()
    );
    let later = Timestamp(T0.millis() + 1_000);
    tx.set_supporters(&supporter_counts(&locked, &gained), later)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.idea(id).await.unwrap().unwrap();
    let before = locked.iter().find(|i| i.id == id).unwrap();
    assert_eq!(
        (stored.supporters, stored.hot, stored.trending),
        (2, before.hot + 20, before.trending + 2)
    );
    assert_eq!(stored.updated_at, later);
    assert_eq!(store.idea(other).await.unwrap().unwrap().supporters, 2);
    assert_eq!(store.miscounted_ideas().await.unwrap(), 0);
}

pub async fn concurrent_supports_count_exactly(store: Arc<dyn Store>) {
    const SUPPORTERS: usize = 40;
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut accounts = Vec::new();
    for i in 0..SUPPORTERS {
        accounts.push(account(&*store, &format!("fan{i}@example.org")).await.id);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for account_id in accounts.iter().copied() {
        let store = store.clone();
        tasks.spawn(async move { support(&*store, id, account_id).await });
    }
    // The same account, many times at once: it counts once.
    for _ in 0..SUPPORTERS {
        let store = store.clone();
        tasks.spawn(async move { support(&*store, id, ada.id).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let stored = store.idea(id).await.unwrap().unwrap();
    assert_eq!(stored.supporters, SUPPORTERS as i64 + 1);
    let (with_space, space) = store.idea_with_space(id).await.unwrap().unwrap();
    assert_eq!((with_space, space.id), (stored.clone(), stored.space_id));
    assert_eq!(space.slug, "ideas");
    assert!(store.idea_with_space(id + 1000).await.unwrap().is_none());
    assert_eq!(
        recipients(&*store, FanoutKind::Decision, id).await.len(),
        SUPPORTERS + 1
    );
}

pub async fn merging_moves_supports_without_double_counting(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let from = idea(&*store, space_id, ada.id, "Duplicate", "", T0).await;
    let into = idea(&*store, space_id, ada.id, "Original", "", T0).await;
    let both = account(&*store, "both@example.org").await;
    let only_from = account(&*store, "from@example.org").await;
    let only_into = account(&*store, "into@example.org").await;
    for (idea_id, who) in [
        (from, both.id),
        (into, both.id),
        (from, only_from.id),
        (into, only_into.id),
    ] {
        support(&*store, idea_id, who).await.unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.merge_idea(from, into, T0).await.unwrap(), 3);
    tx.commit().await.unwrap();
    let merged = store.idea(from).await.unwrap().unwrap();
    assert_eq!(
        (merged.stage, merged.merged_into, merged.supporters),
        (Stage::Merged, Some(into), 0)
    );
    assert_eq!(store.idea(into).await.unwrap().unwrap().supporters, 3);
    assert_eq!(
        store
            .supported_among(only_from.id, &[from, into])
            .await
            .unwrap(),
        vec![into]
    );
}

pub async fn stage_history_and_deadlines(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_idea_event(&NewIdeaEvent {
        idea_id: id,
        actor_id: Some(ada.id),
        from_stage: None,
        to_stage: Stage::Gathering,
        rationale: "",
        created_at: T0,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        store
            .ideas_past_deadline(T0.plus_minutes(60), 10)
            .await
            .unwrap()
            .is_empty(),
        "due at, not before"
    );
    let due = store
        .ideas_past_deadline(T0.plus_minutes(61), 10)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|i| i.id).collect::<Vec<_>>(), [id]);
    let mut tx = store.begin().await.unwrap();
    tx.set_idea_progress(
        id,
        &IdeaProgress {
            stage: Stage::Expired,
            tier: 0,
            tier_deadline: None,
        },
        T0.plus_minutes(61),
    )
    .await
    .unwrap();
    tx.insert_idea_event(&NewIdeaEvent {
        idea_id: id,
        actor_id: None,
        from_stage: Some(Stage::Gathering),
        to_stage: Stage::Expired,
        rationale: "The deadline passed.",
        created_at: T0.plus_minutes(61),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        store
            .ideas_past_deadline(T0.plus_minutes(600), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let history = store.idea_events(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].from_stage, history[0].actor_name.as_deref()),
        (None, Some("Ada Lovelace"))
    );
    assert_eq!(
        (
            history[1].from_stage,
            history[1].to_stage,
            history[1].actor_id
        ),
        (Some(Stage::Gathering), Stage::Expired, None)
    );
}

pub async fn search_finds_published_ideas_best_first(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let write = |title: &'static str, body: &'static str, stage: Stage| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let id = tx
                .insert_idea(&NewIdea {
                    space_id,
                    challenge_id: None,
                    title,
                    body,
                    body_html: body,
                    tags: ",lighting,",
                    author_id: ada.id,
                    stage,
                    tiers: "3/10",
                    tier_deadline: None,
                    hot: 0,
                    created_at: T0,
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id
        }
    };
    let lantern = write(
        "Solar lantern",
        "A lantern that charges in the sun and lights the tent.",
        Stage::Gathering,
    )
    .await;
    let strap = write(
        "Carry strap",
        "A strap for the solar panel of the lantern.",
        Stage::Gathering,
    )
    .await;
    let _stove = write("Quiet stove", "Less noise at breakfast.", Stage::Gathering).await;
    let draft = write(
        "Solar lantern draft",
        "Solar lantern, not yet published.",
        Stage::Draft,
    )
    .await;
    let query = SearchQuery {
        space_ids: vec![space_id],
        terms: vec!["solar".into(), "lantern".into()],
        any: false,
        drafter: None,
        challenge_id: None,
        stage: None,
        tag: None,
        limit: 10,
    };
    let hits = store.search_ideas(&query).await.unwrap();
    let ids: Vec<i64> = hits.iter().map(|h| h.idea.id).collect();
    assert_eq!(
        ids,
        [lantern, strap],
        "title matches rank first; drafts are never found"
    );
    assert!(!ids.contains(&draft));
    assert!(hits[1].snippet.has_match(), "{:?}", hits[1].snippet);
    // Stemming: "lanterns" finds "lantern".
    let plural = store
        .search_ideas(&SearchQuery {
            terms: vec!["lanterns".into()],
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(plural.len(), 2);
    // While typing: any word, as a prefix.
    let typing = store
        .search_ideas(&SearchQuery {
            terms: vec!["quie".into(), "sol".into()],
            any: true,
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(typing.len(), 3);
    let nothing = store
        .search_ideas(&SearchQuery {
            space_ids: vec![space_id + 1],
            ..query.clone()
        })
        .await
        .unwrap();
    assert!(nothing.is_empty(), "only the given spaces");
    let filtered = store
        .search_ideas(&SearchQuery {
            stage: Some(Stage::Review),
            ..query.clone()
        })
        .await
        .unwrap();
    assert!(filtered.is_empty());
    let tagged = store
        .search_ideas(&SearchQuery {
            tag: Some("lighting".into()),
            ..query.clone()
        })
        .await
        .unwrap();
    assert_eq!(tagged.len(), 2);
    assert!(
        store
            .search_ideas(&SearchQuery {
                terms: Vec::new(),
                ..query
            })
            .await
            .unwrap()
            .is_empty()
    );
}

/// Every change to what search may find is logged, in its own transaction and nothing else
/// is (a support is not); the documents read for an entry say who may find them; and hits the
/// index found are confirmed against the tables.
pub async fn the_search_log_follows_what_search_may_find(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let start = store.search_log_head().await.unwrap();
    assert_eq!(start.epoch.len(), 32, "{start:?}");
    let logged_since = |seq: Option<i64>| {
        let store = store.clone();
        async move {
            store
                .search_log_after(seq.unwrap_or(0), &[], 100)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.kind, e.object_id))
                .collect::<Vec<_>>()
        }
    };
    let lamp = idea(&*store, space_id, ada.id, "Solar lamp", "", T0).await;
    let hidden = idea(&*store, space_id, ada.id, "Spam lamp", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    let comment = tx
        .insert_comment(&NewComment {
            subject: Subject::Idea(hidden),
            parent_id: None,
            depth: 0,
            author_id: ada.id,
            body: "Lamp spam indeed",
            body_html: "<p>Lamp spam indeed</p>",
            official: false,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after_writes = store.search_log_head().await.unwrap().last;
    assert_eq!(
        logged_since(start.last).await,
        [
            (DocKind::Idea, lamp),
            (DocKind::Idea, hidden),
            (DocKind::Comment, comment),
        ]
    );
    support(&*store, lamp, ada.id).await.unwrap();
    let mut dropped = store.begin().await.unwrap();
    dropped
        .set_hidden(ContentKind::Idea, lamp, Some((T0, "spam")))
        .await
        .unwrap();
    drop(dropped);
    assert_eq!(
        store.search_log_last().await.unwrap(),
        after_writes,
        "neither a support nor a rolled-back change is logged"
    );
    let mut tx = store.begin().await.unwrap();
    tx.set_hidden(ContentKind::Idea, hidden, Some((T0, "spam")))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(logged_since(after_writes).await, [(DocKind::Idea, hidden)]);
    let stamp = store
        .search_log_stamp(store.search_log_last().await.unwrap().unwrap())
        .await
        .unwrap();
    assert!(stamp.is_some_and(|ms| ms > T0.millis()), "{stamp:?}");

    let docs = store
        .search_documents(Documents::Ids(DocKind::Idea, &[lamp, hidden, hidden + 100]))
        .await
        .unwrap();
    let visible: Vec<(i64, bool)> = docs.iter().map(|d| (d.id, d.visible)).collect();
    assert_eq!(visible, [(lamp, true), (hidden, false)]);
    assert_eq!(docs[0].title, "Solar lamp");
    assert_eq!(docs[0].space_id, space_id);
    let comments = store
        .search_documents(Documents::CommentsOnIdeas(&[hidden]))
        .await
        .unwrap();
    assert_eq!(comments.len(), 1);
    assert!(!comments[0].visible, "a comment is hidden with its idea");
    let page = store
        .search_documents(Documents::After {
            kind: DocKind::Idea,
            after: lamp,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|d| d.id).collect::<Vec<_>>(), [hidden]);
    assert_eq!(store.search_document_count().await.unwrap(), 3);

    let query = SearchQuery {
        space_ids: vec![space_id],
        terms: vec!["lamp".into()],
        any: false,
        drafter: None,
        challenge_id: None,
        stage: None,
        tag: None,
        limit: 10,
    };
    let found = store.found_ideas(&[hidden, lamp], &query).await.unwrap();
    assert_eq!(found.len(), 1, "the hidden idea is not confirmed");
    assert_eq!(
        found[0].snippet.text(),
        found[0].idea.body,
        "the whole body, unmarked"
    );
    let elsewhere = SearchQuery {
        space_ids: vec![space_id + 1],
        ..query.clone()
    };
    assert!(
        store
            .found_ideas(&[lamp], &elsewhere)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .found_comments(&[comment], &query)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn comments_follows_and_notifications(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .insert_comment(&NewComment {
            subject: Subject::Idea(id),
            parent_id: None,
            depth: 0,
            author_id: eve.id,
            body: "Nice",
            body_html: "<p>Nice</p>",
            official: false,
            created_at: T0,
        })
        .await
        .unwrap();
    let reply = tx
        .insert_comment(&NewComment {
            subject: Subject::Idea(id),
            parent_id: Some(first),
            depth: 1,
            author_id: ada.id,
            body: "Thanks",
            body_html: "<p>Thanks</p>",
            official: true,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.idea(id).await.unwrap().unwrap().comments, 2);
    let mut tx = store.begin().await.unwrap();
    tx.edit_comment(first, "Very nice", "<p>Very nice</p>", T0.plus_minutes(1))
        .await
        .unwrap();
    assert!(tx.delete_comment(reply, T0.plus_minutes(2)).await.unwrap());
    assert!(
        !tx.delete_comment(reply, T0.plus_minutes(3)).await.unwrap(),
        "once"
    );
    tx.commit().await.unwrap();
    let thread = store.comments(Subject::Idea(id)).await.unwrap();
    assert_eq!(thread.len(), 2, "a deleted comment keeps its place");
    assert_eq!(
        (
            thread[0].body.as_str(),
            thread[0].edited_at,
            thread[0].author_name.as_str()
        ),
        ("Very nice", Some(T0.plus_minutes(1)), "Ada Lovelace")
    );
    assert_eq!(
        (
            thread[1].parent_id,
            thread[1].official,
            thread[1].deleted_at
        ),
        (Some(first), true, Some(T0.plus_minutes(2)))
    );
    assert_eq!(store.comment(reply).await.unwrap().unwrap().depth, 1);
    assert_eq!(store.idea(id).await.unwrap().unwrap().comments, 1);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.set_following(id, eve.id, true, T0).await.unwrap());
    assert!(!tx.set_following(id, eve.id, true, T0).await.unwrap());
    assert!(tx.set_following(id, ada.id, true, T0).await.unwrap());
    assert!(tx.set_following(id, ada.id, false, T0).await.unwrap());
    for text in ["one", "two", "three"] {
        tx.insert_notification(&NewNotification {
            account_id: eve.id,
            idea_id: Some(id),
            challenge_id: None,
            comment_id: Some(first),
            text,
            created_at: T0,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    assert!(store.is_following(id, eve.id).await.unwrap());
    assert_eq!(
        recipients(&*store, FanoutKind::Comment, id).await,
        vec![eve.email.clone()]
    );
    assert_eq!(store.unread_notifications(eve.id).await.unwrap(), 3);
    let page = store.notifications(eve.id, i64::MAX, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["three", "two"]
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.mark_notifications_read(eve.id, T0).await.unwrap(), 3);
    tx.commit().await.unwrap();
    assert_eq!(store.unread_notifications(eve.id).await.unwrap(), 0);
    assert!(
        store
            .notifications(ada.id, i64::MAX, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn challenges_have_their_own_discussion(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let fields = ChallengeFields {
        title: "Lighter tents",
        problem: "Weight matters",
        problem_html: "<p>Weight matters</p>",
        questions: "",
        tags: "",
        tiers: "100/60",
        opens_at: None,
        closes_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    let challenge_id = tx
        .insert_challenge(space_id, &fields, ada.id, T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let idea_id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    let comment_id = tx
        .insert_comment(&NewComment {
            subject: Subject::Challenge(challenge_id),
            parent_id: None,
            depth: 0,
            author_id: ada.id,
            body: "Titanium pegs bend less",
            body_html: "<p>Titanium pegs bend less</p>",
            official: false,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.insert_notification(&NewNotification {
        account_id: ada.id,
        idea_id: None,
        challenge_id: Some(challenge_id),
        comment_id: Some(comment_id),
        text: "mentioned",
        created_at: T0,
    })
    .await
    .unwrap();
    tx.insert_flag(&NewFlag {
        target_kind: ContentKind::Comment,
        target_id: comment_id,
        space_id,
        subject: Subject::Challenge(challenge_id),
        reporter_id: ada.id,
        reason: "off topic",
        created_at: T0,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let thread = store
        .comments(Subject::Challenge(challenge_id))
        .await
        .unwrap();
    assert_eq!(
        thread.iter().map(|c| (c.id, c.subject)).collect::<Vec<_>>(),
        [(comment_id, Subject::Challenge(challenge_id))]
    );
    assert!(
        store
            .comments(Subject::Idea(idea_id))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.idea(idea_id).await.unwrap().unwrap().comments, 0);
    let notified = store.notifications(ada.id, i64::MAX, 10).await.unwrap();
    assert_eq!(
        (notified[0].idea_id, notified[0].challenge_id),
        (None, Some(challenge_id))
    );
    let flags = store.open_flags(&[space_id], 10).await.unwrap();
    assert_eq!(flags[0].subject, Subject::Challenge(challenge_id));

    let query = SearchQuery {
        space_ids: vec![space_id],
        terms: vec!["pegs".to_owned()],
        any: false,
        drafter: None,
        challenge_id: None,
        stage: None,
        tag: None,
        limit: 10,
    };
    let found = store.search_comments(&query).await.unwrap();
    assert_eq!(
        found
            .iter()
            .map(|hit| (hit.comment_id, hit.subject, hit.title.as_str()))
            .collect::<Vec<_>>(),
        [(
            comment_id,
            Subject::Challenge(challenge_id),
            "Lighter tents"
        )]
    );
    let in_challenge = SearchQuery {
        challenge_id: Some(challenge_id),
        ..query.clone()
    };
    assert_eq!(store.search_comments(&in_challenge).await.unwrap().len(), 1);
    for narrowed in [
        SearchQuery {
            challenge_id: Some(challenge_id + 1),
            ..query.clone()
        },
        SearchQuery {
            stage: Some(Stage::Gathering),
            ..query.clone()
        },
        SearchQuery {
            space_ids: vec![space_id + 1],
            ..query.clone()
        },
    ] {
        assert!(
            store.search_comments(&narrowed).await.unwrap().is_empty(),
            "{narrowed:?}"
        );
    }

    let mut tx = store.begin().await.unwrap();
    assert!(tx.delete_comment(comment_id, T0).await.unwrap());
    tx.commit().await.unwrap();
    assert!(store.search_comments(&query).await.unwrap().is_empty());
    assert_eq!(store.miscounted_ideas().await.unwrap(), 0);
}

pub async fn flags_hide_and_resolve(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Spam idea", "", T0).await;
    let flag = |reporter: i64| NewFlag {
        target_kind: ContentKind::Idea,
        target_id: id,
        space_id,
        subject: Subject::Idea(id),
        reporter_id: reporter,
        reason: "spam",
        created_at: T0,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_flag(&flag(ada.id)).await.unwrap();
    tx.insert_flag(&flag(eve.id)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let again = tx.insert_flag(&flag(eve.id)).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }), "{again:?}");
    drop(tx);
    let open = store.open_flags(&[space_id], 10).await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(
        (open[0].target_kind, open[0].reporter_name.as_str()),
        (ContentKind::Idea, "Ada Lovelace")
    );
    assert!(
        store
            .open_flags(&[space_id + 1], 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mut tx = store.begin().await.unwrap();
    tx.set_hidden(ContentKind::Idea, id, Some((T0, "Spam")))
        .await
        .unwrap();
    assert_eq!(
        tx.resolve_flags(ContentKind::Idea, id, ada.id, T0)
            .await
            .unwrap(),
        2
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.idea(id).await.unwrap().unwrap().hidden,
        Some((T0, "Spam".to_owned()))
    );
    let listed = store
        .ideas(&IdeaQuery {
            space_id,
            challenge_id: None,
            stage: None,
            tag: None,
            order: IdeaOrder::Newest,
            viewer_id: None,
            all_drafts: true,
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(listed.is_empty(), "hidden ideas are not listed");
    assert!(store.open_flags(&[space_id], 10).await.unwrap().is_empty());
    let mut tx = store.begin().await.unwrap();
    tx.set_hidden(ContentKind::Idea, id, None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.idea(id).await.unwrap().unwrap().hidden, None);
}

pub async fn edits_keep_revisions_and_the_search_index(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Kayak rack", ",water,", T0).await;
    let mut tx = store.begin().await.unwrap();
    let text = IdeaText {
        title: "Canoe rack",
        body: "Holds two canoes",
        body_html: "<p>Holds two canoes</p>",
        tags: ",water,roof,",
    };
    tx.edit_idea(id, eve.id, &text, T0.plus_minutes(5))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let idea = store.idea(id).await.unwrap().unwrap();
    assert_eq!(
        (idea.title.as_str(), idea.tags.as_str(), idea.updated_at),
        ("Canoe rack", ",water,roof,", T0.plus_minutes(5))
    );
    let revisions = store.idea_revisions(id).await.unwrap();
    assert_eq!(revisions.len(), 2, "the first version and the edit");
    assert_eq!(
        (revisions[0].title.as_str(), revisions[0].editor_id),
        ("Kayak rack", ada.id)
    );
    assert_eq!(
        (
            revisions[1].title.as_str(),
            revisions[1].editor_name.as_str()
        ),
        ("Canoe rack", "Ada Lovelace")
    );
    let search = |word: &str| word_search(space_id, word);
    assert_eq!(
        store.search_ideas(&search("canoe")).await.unwrap().len(),
        1,
        "new words are found"
    );
    assert!(
        store
            .search_ideas(&search("kayak"))
            .await
            .unwrap()
            .is_empty(),
        "old words are not"
    );
}

pub async fn co_authors_are_invited_then_accept(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.invite_co_author(id, eve.id, T0).await.unwrap());
    assert!(!tx.invite_co_author(id, eve.id, T0).await.unwrap(), "once");
    tx.commit().await.unwrap();
    assert_eq!(store.co_authors(id).await.unwrap()[0].accepted_at, None);
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.accept_co_author(id, eve.id, T0.plus_minutes(1))
            .await
            .unwrap()
    );
    assert!(
        !tx.accept_co_author(id, eve.id, T0.plus_minutes(2))
            .await
            .unwrap()
    );
    assert!(
        !tx.accept_co_author(id, ada.id, T0).await.unwrap(),
        "not invited"
    );
    tx.commit().await.unwrap();
    let authors = store.co_authors(id).await.unwrap();
    assert_eq!(
        (authors.len(), authors[0].account_id, authors[0].accepted_at),
        (1, eve.id, Some(T0.plus_minutes(1)))
    );
    let mut tx = store.begin().await.unwrap();
    assert!(tx.remove_co_author(id, eve.id).await.unwrap());
    assert!(!tx.remove_co_author(id, eve.id).await.unwrap());
    tx.commit().await.unwrap();
    assert!(store.co_authors(id).await.unwrap().is_empty());
}

/// Loads `store`'s export into `empty` and reads it back: ids, bytes, self-references that point
/// forward, search and id generators all come through, and a load that breaks the schema leaves
/// nothing behind.
pub async fn export_and_import_reproduce_every_table(store: Arc<dyn Store>, empty: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let eve = account(&*store, "eve@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let older = idea(&*store, space_id, ada.id, "Solar lantern", "", T0).await;
    let newer = idea(&*store, space_id, eve.id, "Sun lamp", ",light,", T0).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_organisation_logo(
        Some(&Logo {
            content_type: "image/png".into(),
            bytes: vec![0x89, b'P', b'N', b'G', 0, 255],
        }),
        T0,
    )
    .await
    .unwrap();
    let locked = tx.lock_ideas(&[older, newer]).await.unwrap();
    let gained = tx.add_supports(&[(older, eve.id)], T0).await.unwrap();
    tx.set_supporters(&supporter_counts(&locked, &gained), T0)
        .await
        .unwrap();
    // Merged into an idea with a larger id: the reference points forward.
    tx.merge_idea(older, newer, T0).await.unwrap();
    let first = tx
        .insert_comment(&NewComment {
            subject: Subject::Idea(newer),
            parent_id: None,
            depth: 0,
            author_id: eve.id,
            body: "Brighter, please",
            body_html: "<p>Brighter, please</p>",
            official: false,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.insert_comment(&NewComment {
        subject: Subject::Idea(newer),
        parent_id: Some(first),
        depth: 1,
        author_id: ada.id,
        body: "Agreed",
        body_html: "<p>Agreed</p>",
        official: true,
        created_at: T0,
    })
    .await
    .unwrap();
    // A product, the idea about it, and feedback by a contact.
    let tent = tx
        .insert_product(&NewProduct {
            space_id,
            slug: "trail-tent",
            name: "Trail tent",
            description: "",
            status: ProductStatus::Available,
            created_at: T0,
        })
        .await
        .unwrap()
        .id;
    tx.set_idea_product(newer, Some(tent)).await.unwrap();
    let robin = tx
        .email_contact("robin@example.net", Some("Robin"), T0)
        .await
        .unwrap();
    tx.insert_feedback(&NewFeedback {
        author_contact_id: Some(robin),
        ..feedback(tent, "Too warm.", Some(4))
    })
    .await
    .unwrap();
    // News still being delivered moves with the organisation.
    tx.insert_fanout(&NewFanout {
        kind: FanoutKind::Comment,
        idea_id: newer,
        comment_id: Some(first),
        skip_account_id: Some(ada.id),
        subject: "Ada commented",
        body: "",
        created_at: T0,
        event_id: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let exported = store.export_tables().await.unwrap();
    let names: Vec<_> = exported.iter().map(|t| t.spec.name).collect();
    let expected: Vec<_> = transfer::TABLES.iter().map(|t| t.name).collect();
    assert_eq!(names, expected);
    let rows = |name: &str| {
        exported
            .iter()
            .find(|t| t.spec.name == name)
            .unwrap()
            .rows
            .len()
    };
    assert_eq!(
        (
            rows("accounts"),
            rows("ideas"),
            rows("comments"),
            rows("fanouts"),
            rows("feedback"),
            rows("idea_products")
        ),
        (2, 2, 2, 1, 1, 1)
    );

    // A row pointing at an account that is not there fails the whole load.
    let mut broken = exported.clone();
    let supports = broken
        .iter_mut()
        .find(|t| t.spec.name == "supports")
        .unwrap();
    supports.rows[0][1] = transfer::Value::Int(999);
    match empty.import_tables(&broken).await {
        Err(StoreError::Corrupt(why)) => assert!(why.starts_with("supports"), "{why}"),
        other => panic!("a broken reference must fail the load: {other:?}"),
    }
    assert_eq!(
        empty.count_accounts().await.unwrap(),
        0,
        "nothing is left behind"
    );
    assert_eq!(empty.organisation().await.unwrap().name, "Cocreate");

    empty.import_tables(&exported).await.unwrap();
    assert_eq!(empty.export_tables().await.unwrap(), exported);
    assert_eq!(empty.miscounted_ideas().await.unwrap(), 0);
    assert_eq!(empty.miscounted_products().await.unwrap(), 0);
    assert_eq!(
        empty.product_of_idea(newer).await.unwrap().map(|p| p.id),
        Some(tent)
    );
    assert_eq!(
        empty.idea(older).await.unwrap().unwrap().merged_into,
        Some(newer)
    );
    assert_eq!(
        empty.organisation_logo().await.unwrap().unwrap().bytes,
        [0x89, b'P', b'N', b'G', 0, 255]
    );
    let hits = empty
        .search_ideas(&SearchQuery {
            space_ids: vec![space_id],
            terms: vec!["lamp".into()],
            any: false,
            drafter: None,
            challenge_id: None,
            stage: None,
            tag: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(hits.iter().map(|h| h.idea.id).collect::<Vec<_>>(), [newer]);
    // New rows take ids after the loaded ones.
    let zoe = account(&*empty, "zoe@example.org").await;
    assert!(zoe.id > eve.id);
    // A second load into the now filled database is refused.
    match empty.import_tables(&exported).await {
        Err(StoreError::NotEmpty { table }) => assert_eq!(table, "accounts"),
        other => panic!("a filled database must refuse a load: {other:?}"),
    }
}

async fn product(store: &dyn Store, space_id: i64, slug: &str) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let product = tx
        .insert_product(&NewProduct {
            space_id,
            slug,
            name: "Trail tent",
            description: "",
            status: ProductStatus::Available,
            created_at: T0,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    product.id
}

fn feedback<'a>(product_id: i64, body: &'a str, rating: Option<i64>) -> NewFeedback<'a> {
    NewFeedback {
        product_id,
        body,
        rating,
        channel: FeedbackChannel::Web,
        author_account_id: None,
        author_contact_id: None,
        submitted_by: None,
        tags: "",
        created_at: T0,
    }
}

/// Ada's rated and tagged feedback on the product, then the contact's by e-mail; answers the
/// id of the contact's.
async fn two_pieces(tx: &mut dyn Tx, product_id: i64, ada: i64, contact: i64) -> i64 {
    tx.insert_feedback(&NewFeedback {
        author_account_id: Some(ada),
        tags: ",zip,",
        ..feedback(product_id, "The zip snags.", Some(2))
    })
    .await
    .unwrap();
    tx.insert_feedback(&NewFeedback {
        author_contact_id: Some(contact),
        channel: FeedbackChannel::Email,
        ..feedback(product_id, "Too warm.", None)
    })
    .await
    .unwrap()
}

/// Feedback is counted on its product as it comes (and afresh after a bulk load), lists newest
/// first within the spaces asked for, and changes status only there.
pub async fn products_count_their_feedback(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let tent = product(&*store, space_id, "trail-tent").await;
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_product(&NewProduct {
            space_id,
            slug: "trail-tent",
            name: "Again",
            description: "",
            status: ProductStatus::Planned,
            created_at: T0,
        })
        .await,
        Err(StoreError::Conflict { field: "slug" })
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let robin = tx
        .email_contact("robin@example.net", Some("Robin"), T0)
        .await
        .unwrap();
    let again = tx
        .email_contact("robin@example.net", Some("Rob"), T0)
        .await
        .unwrap();
    assert_eq!(robin, again, "one contact per address");
    let by_robin = two_pieces(&mut *tx, tent, ada.id, robin).await;
    tx.load_feedback(&[
        feedback(tent, "Loaded one.", Some(5)),
        feedback(tent, "Loaded two.", Some(4)),
    ])
    .await
    .unwrap();
    assert!(
        tx.insert_feedback(&feedback(tent + 100, "Nowhere.", None))
            .await
            .is_err(),
        "feedback on no product is refused"
    );
    drop(tx);
    let counted = store.product_by_id(tent).await.unwrap().unwrap();
    assert_eq!(
        (counted.feedback_count, counted.rating_count),
        (0, 0),
        "nothing was committed"
    );

    let mut tx = store.begin().await.unwrap();
    let robin = tx
        .email_contact("robin@example.net", Some("Robin"), T0)
        .await
        .unwrap();
    two_pieces(&mut *tx, tent, ada.id, robin).await;
    tx.commit().await.unwrap();
    let counted = store.product_by_id(tent).await.unwrap().unwrap();
    assert_eq!(
        (
            counted.feedback_count,
            counted.rating_count,
            counted.rating_sum
        ),
        (2, 1, 2)
    );
    assert_eq!(store.miscounted_products().await.unwrap(), 0);
    let mut tx = store.begin().await.unwrap();
    tx.load_feedback(&[feedback(tent, "Loaded.", Some(5))])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.miscounted_products().await.unwrap(), 1);
    let mut tx = store.begin().await.unwrap();
    tx.recount_products(space_id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.miscounted_products().await.unwrap(), 0);
    let counted = store.product_by_id(tent).await.unwrap().unwrap();
    assert_eq!(counted.rating_tenths(), Some(35));

    let list = |filter: FeedbackFilter<'static>| {
        let store = store.clone();
        async move {
            store
                .feedback_list(&filter)
                .await
                .unwrap()
                .iter()
                .map(|f| f.body.clone())
                .collect::<Vec<_>>()
        }
    };
    let spaces: &'static [i64] = Box::leak(vec![space_id].into_boxed_slice());
    let all = FeedbackFilter {
        space_ids: spaces,
        limit: 10,
        ..FeedbackFilter::default()
    };
    assert_eq!(
        list(all.clone()).await,
        ["Loaded.", "Too warm.", "The zip snags."]
    );
    assert_eq!(
        list(FeedbackFilter {
            channel: Some(FeedbackChannel::Email),
            ..all.clone()
        })
        .await,
        ["Too warm."]
    );
    assert_eq!(
        list(FeedbackFilter {
            tag: Some("zip"),
            rating: Some(2),
            ..all.clone()
        })
        .await,
        ["The zip snags."]
    );
    assert_eq!(
        list(FeedbackFilter {
            limit: 1,
            before: Some(by_robin + 100),
            ..all.clone()
        })
        .await
        .len(),
        1
    );
    assert!(
        list(FeedbackFilter {
            space_ids: &[],
            ..all.clone()
        })
        .await
        .is_empty()
    );
    let first = store.feedback_list(&all).await.unwrap();
    let zip = first.iter().find(|f| f.body == "The zip snags.").unwrap();
    assert!(matches!(&zip.author, FeedbackAuthor::Account { id, .. } if *id == ada.id));
    assert_eq!(zip.tag_list(), ["zip"]);
    let warm = first.iter().find(|f| f.body == "Too warm.").unwrap();
    assert!(matches!(
        &warm.author,
        FeedbackAuthor::Contact { email, name: Some(name), .. }
            if email == "robin@example.net" && name == "Robin"
    ));

    // Only feedback of the spaces given changes status.
    let mut tx = store.begin().await.unwrap();
    let changed = tx
        .set_feedback_status(
            &[zip.id, warm.id],
            &[space_id + 1],
            FeedbackStatus::Closed,
            Some("elsewhere"),
            ada.id,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(changed, 0);
    let changed = tx
        .set_feedback_status(
            &[zip.id, warm.id],
            &[space_id],
            FeedbackStatus::Closed,
            Some("Fixed in spring."),
            ada.id,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(changed, 2);
    tx.commit().await.unwrap();
    assert_eq!(
        list(FeedbackFilter {
            unanswered: true,
            ..all.clone()
        })
        .await,
        ["Loaded."]
    );
    let closed = store.feedback_item(zip.id).await.unwrap().unwrap();
    assert_eq!(
        (
            closed.status,
            closed.status_note.as_deref(),
            closed.status_by
        ),
        (
            FeedbackStatus::Closed,
            Some("Fixed in spring."),
            Some(ada.id)
        )
    );
}

/// Only ranks that moved are written.
pub async fn ranks_are_written_only_when_they_move(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let id = idea(&*store, space_id, ada.id, "Idea", "", T0).await;
    let mut written = Vec::new();
    for (hot, trending) in [(1000, 0), (1000, 0), (1001, 0), (1001, 1), (0, 1)] {
        let mut tx = store.begin().await.unwrap();
        written.push(tx.set_ranks(&[(id, hot, trending)]).await.unwrap());
        tx.commit().await.unwrap();
    }
    assert_eq!(written, [1, 0, 1, 1, 1]);
    let stored = store.idea(id).await.unwrap().unwrap();
    assert_eq!((stored.hot, stored.trending), (0, 1));
}

/// What the rank refresh reads: every idea with its stored ranks and recent supporters, the
/// ideas with a support made in a span of time, and recent supporters per idea in a transaction.
pub async fn rank_inputs_count_supports_by_time(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let bob = account(&*store, "bob@example.org").await;
    let space_id = space(&*store, ada.id).await;
    let early = idea(&*store, space_id, ada.id, "Early", "", T0).await;
    let late = idea(&*store, space_id, ada.id, "Late", "", T0).await;
    let quiet = idea(&*store, space_id, ada.id, "Quiet", "", T0).await;
    let at = |seconds: i64| T0.plus_millis(seconds * 1000);
    for (idea_id, account_id, when) in [
        (early, ada.id, at(10)),
        (early, bob.id, at(20)),
        (late, ada.id, at(30)),
    ] {
        let mut tx = store.begin().await.unwrap();
        tx.add_supports(&[(idea_id, account_id)], when)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let between = |from, to, after| {
        let store = store.clone();
        async move {
            store
                .ideas_supported_between(at(from), at(to), after, 10)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        between(0, 10, 0).await,
        Vec::<i64>::new(),
        "the end is left out"
    );
    assert_eq!(between(10, 11, 0).await, [early]);
    assert_eq!(between(10, 31, 0).await, [early, late], "each idea once");
    assert_eq!(between(10, 31, early).await, [late], "after an id");
    assert_eq!(between(31, 100, 0).await, Vec::<i64>::new());

    let mut tx = store.begin().await.unwrap();
    let mut recent = tx
        .recent_supporters(&[early, late, quiet], at(20))
        .await
        .unwrap();
    recent.sort_unstable();
    assert_eq!(recent, [(early, 1), (late, 1)]);
    tx.commit().await.unwrap();

    let inputs = store.ideas_to_rank(at(15), early, 10).await.unwrap();
    assert_eq!(
        inputs
            .iter()
            .map(|i| (i.id, i.recent_supporters, i.hot, i.trending))
            .collect::<Vec<_>>(),
        [(late, 1, 0, 0), (quiet, 0, 0, 0)]
    );
}

/// Retention removes, per kind, only records past their cutoff (and at most a batch at a time),
/// and leaves every other row of every table as it was.
pub async fn retention_removes_exactly_what_expired(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let (old, cutoff, fresh) = (T0.plus_minutes(-60), T0, T0.plus_minutes(60));
    let mut tx = store.begin().await.unwrap();
    for (hash, expires_at) in [
        ("s-old", old),
        ("s-older", old.plus_minutes(-1)),
        ("s-live", fresh),
    ] {
        tx.insert_session(&Session {
            token_hash: hash.into(),
            account_id: ada.id,
            created_at: old.plus_minutes(-60),
            expires_at,
        })
        .await
        .unwrap();
    }
    for (hash, expires_at) in [("t-old", old), ("t-live", fresh)] {
        tx.insert_account_token(&AccountToken {
            token_hash: hash.into(),
            account_id: ada.id,
            purpose: TokenPurpose::PasswordReset,
            new_email: None,
            created_at: old.plus_minutes(-60),
            expires_at,
        })
        .await
        .unwrap();
    }
    let mut invitations = Vec::new();
    for (hash, expires_at) in [("i-old", old), ("i-taken", old), ("i-open", fresh)] {
        let invitation = tx
            .insert_invitation(&NewInvitation {
                email: &format!("{hash}@example.org"),
                kind: AccountKind::Customer,
                role: OrgRole::Member,
                token_hash: hash,
                invited_by: ada.id,
                created_at: old.plus_minutes(-60),
                expires_at,
            })
            .await
            .unwrap();
        invitations.push(invitation.id);
    }
    assert!(
        tx.accept_invitation(invitations[1], ada.id, old.plus_minutes(-1))
            .await
            .unwrap()
    );
    for (name, revoked_at) in [
        ("revoked long ago", Some(old)),
        ("revoked lately", Some(fresh)),
        ("live", None),
    ] {
        let token = tx
            .insert_api_token(&NewApiToken {
                account_id: ada.id,
                name,
                prefix: "cc_",
                token_hash: name,
                created_at: old.plus_minutes(-60),
            })
            .await
            .unwrap();
        if let Some(at) = revoked_at {
            assert!(tx.revoke_api_token(token.id, ada.id, at).await.unwrap());
        }
    }
    for (key, at) in [("k-old", old), ("k-new", fresh)] {
        tx.claim_idempotency_key(ada.id, key, "fingerprint", at, at.plus_minutes(-1))
            .await
            .unwrap();
        tx.finish_idempotency_key(ada.id, key, Some((201, "{}")))
            .await
            .unwrap();
    }
    for (text, read_at) in [
        ("read long ago", Some(old)),
        ("read lately", Some(fresh)),
        ("unread", None),
    ] {
        tx.insert_notification(&NewNotification {
            account_id: ada.id,
            idea_id: None,
            challenge_id: None,
            comment_id: None,
            text,
            created_at: old.plus_minutes(-60),
        })
        .await
        .unwrap();
        if let Some(at) = read_at {
            tx.mark_notifications_read(ada.id, at).await.unwrap();
        }
    }
    for subject in ["sent long ago", "sent lately", "pending"] {
        tx.enqueue_mail(&NewMail {
            to_address: "ada@example.org",
            subject,
            body: "sealed",
            created_at: old.plus_minutes(-60),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for finished_at in [old, fresh] {
        let mut tx = store.begin().await.unwrap();
        let claimed = tx
            .claim_mail(finished_at, finished_at.plus_minutes(1), 1)
            .await
            .unwrap();
        tx.finish_mail(claimed[0].id, &MailOutcome::Sent, finished_at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let cutoffs = RetentionCutoffs {
        expired_before: cutoff,
        revoked_before: cutoff,
        idempotency_before: cutoff,
        read_before: cutoff,
        finished_mail_before: cutoff,
        // The log is stamped by the database's own clock, later than the test's.
        search_log_before: cutoff,
    };
    let count = |tables: &[transfer::TableRows], name: &str| {
        tables
            .iter()
            .find(|t| t.spec.name == name)
            .map_or(0, |t| t.rows.len())
    };
    let before = store.export_tables().await.unwrap();

    // A batch of one removes one record of each kind that has any to remove.
    let mut tx = store.begin().await.unwrap();
    let first = tx.purge_expired(&cutoffs, 1).await.unwrap();
    tx.commit().await.unwrap();
    let one_each = Purged {
        sessions: 1,
        account_tokens: 1,
        invitations: 1,
        api_tokens: 1,
        idempotency_keys: 1,
        notifications: 1,
        mails: 1,
        search_log_entries: 0,
    };
    assert_eq!(first, one_each);
    assert!(first.filled(1));
    let mut tx = store.begin().await.unwrap();
    let rest = tx.purge_expired(&cutoffs, 100).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        rest,
        Purged {
            sessions: 1,
            ..Purged::default()
        },
        "only the second old session was left"
    );
    assert!(!rest.filled(100));

    let after = store.export_tables().await.unwrap();
    let removed = [
        ("sessions", 2),
        ("account_tokens", 1),
        ("invitations", 1),
        ("api_tokens", 1),
        ("idempotency_keys", 1),
        ("notifications", 1),
        ("outbox", 1),
    ];
    for table in &before {
        let name = table.spec.name;
        match removed
            .iter()
            .find(|(removed_from, _)| *removed_from == name)
        {
            Some((_, gone)) => assert_eq!(count(&after, name), table.rows.len() - gone, "{name}"),
            None => assert_eq!(
                after.iter().find(|t| t.spec.name == name).map(|t| &t.rows),
                Some(&table.rows),
                "{name} was touched"
            ),
        }
    }
    // What stays is what still works or still matters.
    assert!(store.session("s-live", T0).await.unwrap().is_some());
    let tokens: Vec<String> = store
        .api_tokens(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    assert!(!tokens.contains(&"revoked long ago".to_owned()));
    let invited: Vec<String> = store
        .invitations()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.email)
        .collect();
    assert_eq!(invited.len(), 2);
    assert!(!invited.contains(&"i-old@example.org".to_owned()));
    let subjects: Vec<String> = store
        .outbox(i64::MAX, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects, ["pending", "sent lately"]);
}

/// A stale claim taken over moves the claim's token: the request that held it before can no
/// longer mark the key applied (its change rolls back), the new holder can, once; and a key
/// marked applied is neither taken over nor freed by a failed answer.
pub async fn an_idempotency_key_is_marked_only_by_its_holder(store: Arc<dyn Store>) {
    let ada = account(&*store, "ada@example.org").await;
    let claim = |at: Timestamp| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let claim = tx
                .claim_idempotency_key(ada.id, "key", "fingerprint", at, at.plus_minutes(-1))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            claim
        }
    };
    let mark = |claimed_at: Timestamp| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let marked = tx
                .mark_idempotency_applied(ada.id, "key", claimed_at, claimed_at)
                .await;
            if marked.is_ok() {
                tx.commit().await.unwrap();
            }
            marked
        }
    };
    let first = T0;
    let second = T0.plus_minutes(2);
    assert_eq!(claim(first).await, IdempotencyClaim::New);
    assert!(matches!(
        claim(first.plus_minutes(0)).await,
        IdempotencyClaim::InProgress { .. }
    ));
    assert_eq!(
        claim(second).await,
        IdempotencyClaim::New,
        "stale: taken over"
    );
    assert!(
        matches!(mark(first).await, Err(StoreError::Conflict { .. })),
        "the first holder lost the key"
    );
    assert!(mark(second).await.is_ok());
    // Applied: a failed answer does not free it, and no later claim takes it over.
    let mut tx = store.begin().await.unwrap();
    tx.finish_idempotency_key(ada.id, "key", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        claim(second.plus_minutes(5)).await,
        IdempotencyClaim::AppliedWithoutAnswer
    );
}
