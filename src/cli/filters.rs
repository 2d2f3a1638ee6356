//! The filter flags shared by `search`, `list` and `export`.

use clap::Args;

use chatarchive::query::filter::{self, DateError, Filters};

/// Which conversations and messages to look at.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only from this date or time on (YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339, UTC)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Only before the end of this date, or before this time
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    /// Only this model (repeat for several), e.g. gpt-4o
    #[arg(long, value_name = "SLUG")]
    pub model: Vec<String>,

    /// Only messages by this role: user, assistant, tool, system (repeatable)
    #[arg(long, value_name = "ROLE")]
    pub role: Vec<String>,

    /// Only this conversation (an id or a unique prefix; repeatable)
    #[arg(long, value_name = "ID")]
    pub conversation: Vec<String>,

    /// Only conversations whose title contains this text (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Only this project or custom GPT (g-p-… or g-… id)
    #[arg(long, value_name = "ID")]
    pub project: Option<String>,

    /// Only this content type, e.g. text, code, execution_output (repeatable)
    #[arg(long, value_name = "TYPE")]
    pub content_type: Vec<String>,

    /// Look at every branch (edits, regenerations), not only the current thread
    #[arg(long)]
    pub all_branches: bool,

    /// Include hidden scaffolding and tool messages
    #[arg(long)]
    pub include_hidden: bool,
}

impl FilterArgs {
    /// Resolves the flags into filters.
    pub fn resolve(&self) -> Result<Filters, DateError> {
        Ok(Filters {
            since: self.since.as_deref().map(filter::since).transpose()?,
            until: self.until.as_deref().map(filter::until).transpose()?,
            models: self.model.clone(),
            roles: self.role.clone(),
            conversations: self.conversation.clone(),
            title: self.title.clone(),
            project: self.project.clone(),
            content_types: self.content_type.clone(),
            all_branches: self.all_branches,
            include_hidden: self.include_hidden,
            missing: false,
        })
    }
}
