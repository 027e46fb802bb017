//! The prompts, over dialoguer. They are drawn on stderr, so stdout holds only the YAML, and each
//! one turns Esc and Ctrl-C into [`WizardError::Cancelled`].

use super::WizardError;
use console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Select};

/// Asks questions on the terminal. While one exists, Ctrl-C does not kill the process (see `new`).
pub struct Prompter {
    theme: ColorfulTheme,
    term: Term,
}

impl Prompter {
    /// A prompt puts the terminal in raw mode and reads Ctrl-C as a key, but `console` then raises
    /// SIGINT, whose default action would end the process with a signal instead of exit 130 and a
    /// message. With SIGINT ignored, dialoguer returns an `Interrupted` error instead.
    pub fn new() -> Prompter {
        set_sigint(Sigint::Ignore);
        Prompter {
            theme: ColorfulTheme::default(),
            term: Term::stderr(),
        }
    }

    /// The terminal the prompts are drawn on.
    pub fn term(&self) -> &Term {
        &self.term
    }

    /// A line of text, asked again with the reason until `check` accepts it. `default` is shown and
    /// taken on Enter; when `optional`, an empty answer is accepted (and means "none").
    pub fn text(
        &self,
        prompt: &str,
        default: Option<String>,
        optional: bool,
        mut check: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<String, WizardError> {
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(optional)
            .validate_with(move |answer: &String| {
                if optional && answer.is_empty() {
                    Ok(())
                } else {
                    check(answer)
                }
            });
        if let Some(default) = default {
            input = input.default(default);
        }
        input.interact_text_on(&self.term).map_err(cancelled)
    }

    /// Yes or no.
    pub fn confirm(&self, prompt: &str, default: bool) -> Result<bool, WizardError> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on_opt(&self.term)
            .map_err(cancelled)?
            .ok_or(WizardError::Cancelled)
    }

    /// One of `items`; returns its index.
    pub fn select(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, WizardError> {
        Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_on_opt(&self.term)
            .map_err(cancelled)?
            .ok_or(WizardError::Cancelled)
    }
}

impl Drop for Prompter {
    fn drop(&mut self) {
        set_sigint(Sigint::Default);
    }
}

/// Ctrl-C arrives as an `Interrupted` read error (see [`Prompter::new`]).
fn cancelled(e: dialoguer::Error) -> WizardError {
    let dialoguer::Error::IO(io) = e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        WizardError::Cancelled
    } else {
        WizardError::Terminal(io)
    }
}

enum Sigint {
    Ignore,
    Default,
}

#[cfg(unix)]
fn set_sigint(action: Sigint) {
    let handler = match action {
        Sigint::Ignore => libc::SIG_IGN,
        Sigint::Default => libc::SIG_DFL,
    };
    // SAFETY: installs one of the two predefined dispositions; no handler code runs.
    unsafe {
        libc::signal(libc::SIGINT, handler);
    }
}

/// Only Unix terminals raise SIGINT from a prompt; elsewhere nothing needs changing.
#[cfg(not(unix))]
fn set_sigint(_: Sigint) {}
