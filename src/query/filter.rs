//! The filters shared by `search`, `list` and `export`, turned into SQL conditions with
//! bound parameters (user text never becomes SQL).

use rusqlite::types::Value as SqlValue;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::model::timestamp::iso;

/// Which conversations and messages a query looks at. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Inclusive lower bound on `created_at` (ISO-8601 UTC).
    pub since: Option<String>,
    /// Exclusive upper bound on `created_at` (ISO-8601 UTC).
    pub until: Option<String>,
    /// Model slugs (messages' `model`, conversations' `model`).
    pub models: Vec<String>,
    /// Roles (`user`, `assistant`, `tool`, `system`).
    pub roles: Vec<String>,
    /// Conversation ids or unique prefixes of them.
    pub conversations: Vec<String>,
    /// Case-insensitive substring of the title.
    pub title: Option<String>,
    /// Project or custom GPT id (`g-p-…` or `g-…`).
    pub project: Option<String>,
    /// Content types (`text`, `code`, `execution_output`...).
    pub content_types: Vec<String>,
    /// Look at every branch, not only the current thread.
    pub all_branches: bool,
    /// Include hidden scaffolding and tool messages.
    pub include_hidden: bool,
    /// Only conversations the latest export no longer holds.
    pub missing: bool,
}

/// A date filter that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {0:?} as a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339")]
pub struct DateError(pub String);

/// Reads `--since`: a day means its start.
pub fn since(text: &str) -> Result<String, DateError> {
    parse_date(text, false)
}

/// Reads `--until`: a day means up to its end (the bound is exclusive).
pub fn until(text: &str) -> Result<String, DateError> {
    parse_date(text, true)
}

fn parse_date(text: &str, end_of_day: bool) -> Result<String, DateError> {
    if let Ok(datetime) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(iso(datetime));
    }
    let minute = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]");
    for format in [minute, spaced] {
        if let Ok(datetime) = PrimitiveDateTime::parse(text, &format) {
            return Ok(iso(datetime.assume_utc()));
        }
    }
    let day = Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| DateError(text.to_string()))?;
    let start = day.midnight().assume_utc();
    Ok(iso(if end_of_day { start + Duration::days(1) } else { start }))
}

/// SQL conditions joined by `AND`, with their parameters in order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Conditions {
    /// The conditions (each a SQL boolean expression with `?` placeholders).
    pub clauses: Vec<String>,
    /// The bound values, in placeholder order.
    pub params: Vec<SqlValue>,
}

impl Conditions {
    fn push(&mut self, clause: String, params: impl IntoIterator<Item = String>) {
        self.clauses.push(clause);
        self.params.extend(params.into_iter().map(SqlValue::Text));
    }

    fn any_of(&mut self, column: &str, values: &[String]) {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.push(format!("{column} IN ({marks})"), values.iter().cloned());
        }
    }

    /// `WHERE …` (or an empty string when nothing filters).
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

impl Filters {
    /// Conditions on a conversation row aliased `c`.
    pub fn conversation_conditions(&self) -> Conditions {
        let mut conditions = Conditions::default();
        if let Some(since) = &self.since {
            conditions.push("c.created_at >= ?".into(), [since.clone()]);
        }
        if let Some(until) = &self.until {
            conditions.push("c.created_at < ?".into(), [until.clone()]);
        }
        conditions.any_of("c.model", &self.models);
        if !self.conversations.is_empty() {
            let likes = vec!["c.id LIKE ? ESCAPE '\\'"; self.conversations.len()].join(" OR ");
            let prefixes = self.conversations.iter().map(|id| format!("{}%", escape_like(id)));
            conditions.push(format!("({likes})"), prefixes);
        }
        if let Some(title) = &self.title {
            let pattern = format!("%{}%", escape_like(title));
            conditions.push("c.title LIKE ? ESCAPE '\\'".into(), [pattern]);
        }
        if let Some(project) = &self.project {
            conditions.push(
                "(c.project_id = ? OR c.gizmo_id = ?)".into(),
                [project.clone(), project.clone()],
            );
        }
        if self.missing {
            conditions.clauses.push("c.in_latest_export = 0".into());
        }
        conditions
    }

    /// Conditions on a message row aliased `m` joined to its conversation aliased `c`. The
    /// date bounds apply to the message's own time here.
    pub fn message_conditions(&self) -> Conditions {
        let mut conversation_only = self.clone();
        conversation_only.since = None;
        conversation_only.until = None;
        conversation_only.models.clear();
        let mut conditions = conversation_only.conversation_conditions();
        if let Some(since) = &self.since {
            conditions.push("m.created_at >= ?".into(), [since.clone()]);
        }
        if let Some(until) = &self.until {
            conditions.push("m.created_at < ?".into(), [until.clone()]);
        }
        conditions.any_of("m.model", &self.models);
        conditions.any_of("m.role", &self.roles);
        conditions.any_of("m.content_type", &self.content_types);
        if !self.all_branches {
            conditions.clauses.push("m.on_current_thread = 1".into());
        }
        if !self.include_hidden {
            conditions.clauses.push("m.hidden = 0 AND coalesce(m.role, '') != 'tool'".into());
        }
        conditions
    }
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_days_or_times() {
        assert_eq!(since("2024-03-01").unwrap(), "2024-03-01T00:00:00.000000Z");
        assert_eq!(until("2024-03-01").unwrap(), "2024-03-02T00:00:00.000000Z");
        assert_eq!(since("2024-03-01T09:30").unwrap(), "2024-03-01T09:30:00.000000Z");
        assert_eq!(since("2024-03-01T09:30:00+02:00").unwrap(), "2024-03-01T07:30:00.000000Z");
        assert!(since("March").is_err());
    }

    #[test]
    fn message_conditions_bind_every_value() {
        let filters = Filters {
            since: Some("2024-01-01T00:00:00.000000Z".into()),
            roles: vec!["user".into(), "assistant".into()],
            title: Some("50%_off".into()),
            ..Filters::default()
        };
        let conditions = filters.message_conditions();
        assert_eq!(
            conditions.where_sql(),
            "WHERE c.title LIKE ? ESCAPE '\\' AND m.created_at >= ? AND m.role IN (?, ?) \
             AND m.on_current_thread = 1 AND m.hidden = 0 AND coalesce(m.role, '') != 'tool'"
        );
        assert_eq!(conditions.params[0], SqlValue::Text("%50\\%\\_off%".into()));
        assert_eq!(conditions.params.len(), 4);
    }
}
