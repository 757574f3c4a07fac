use cocreate_core::ValidationError;
use cocreate_store::StoreError;

/// Why a use case refused or failed. Each maps to one HTTP status and stable code in the web
/// layer; internals are logged there and never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The thing does not exist, or the viewer may not know it does.
    #[error("not found")]
    NotFound,
    #[error("sign in to continue")]
    Unauthenticated,
    /// The viewer can see the thing but may not do this to it.
    #[error("you may not do this")]
    Forbidden,
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    #[error("this link is invalid, used or expired")]
    InvalidToken,
    #[error("too many attempts; try again in a minute")]
    Throttled,
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// Too much expensive work (password hashing) is already under way; retry in a moment.
    #[error("the server is busy; try again in a moment")]
    Busy,
    #[error("the server's disk is full, so nothing was saved; reading still works")]
    StorageFull,
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field,
            message: message.into(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(ValidationError::new(field, message))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { field } => {
                Self::conflict(field, format!("this {field} is already taken"))
            }
            StoreError::Unavailable(why) => Self::Unavailable(why),
            StoreError::StorageFull => Self::StorageFull,
            not_empty @ StoreError::NotEmpty { .. } => {
                Self::conflict("database", not_empty.to_string())
            }
            StoreError::Corrupt(why) | StoreError::Database(why) => Self::Internal(why),
        }
    }
}
