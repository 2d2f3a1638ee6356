//! `chatarchive completions` and `chatarchive man`: shell completions and a roff man page,
//! both generated from the clap definitions so they never drift from the real flags.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::show::reader_went_away;
use super::{Cli, CliError, Context};

/// Print a shell completion script.
///
/// For example, in bash: `chatarchive completions bash > ~/.local/share/bash-completion/
/// completions/chatarchive`; in zsh, write `_chatarchive` into a folder of your `fpath`; in
/// fish: `chatarchive completions fish > ~/.config/fish/completions/chatarchive.fish`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: Shell,
}

/// Print the man page (roff), e.g. `chatarchive man > chatarchive.1; man ./chatarchive.1`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print the page of this command instead, e.g. `stats` for chatarchive-stats(1)
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// Prints the completion script for the shell.
pub fn run(args: CompletionsArgs, _context: &Context) -> Result<(), CliError> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    // Generated into memory: clap_complete panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    Ok(reader_went_away(std::io::stdout().lock().write_all(&script))?)
}

/// Prints the man page.
pub fn run_man(args: ManArgs, _context: &Context) -> Result<(), CliError> {
    let mut command = Cli::command();
    if let Some(name) = &args.command {
        // Built first, so that the global flags (--db) reach the subcommand's page.
        command.build();
        let Some(found) = command.find_subcommand(name) else {
            return Err(CliError::usage(&format!("no command named {name:?}"))
                .with_hint("chatarchive --help lists the commands"));
        };
        command = found.clone();
    }
    let mut page = Vec::new();
    let source = format!("chatarchive {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(command).source(source).render(&mut page)?;
    // clap_mangen opens with the definition of the apostrophe string; a man page
    // conventionally opens with `.TH`, and the definition only has to come before its use.
    let page = String::from_utf8(page)?;
    let (title, rest): (Vec<&str>, Vec<&str>) =
        page.lines().partition(|line| line.starts_with(".TH "));
    let page: String = title.iter().chain(&rest).map(|line| format!("{line}\n")).collect();
    Ok(reader_went_away(std::io::stdout().lock().write_all(page.as_bytes()))?)
}
