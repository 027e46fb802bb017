//! The prompts, over dialoguer (text lines over `line`). They are drawn on stderr, so stdout holds
//! only the YAML. Esc at any prompt returns [`WizardError::Cancelled`]; Ctrl-C ends the process
//! (see `Prompter::new`).

use super::line::Line;
use super::WizardError;
use console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Select};

/// Asks questions on the terminal. While one exists, Ctrl-C cancels the wizard (see `new`).
pub struct Prompter {
    theme: ColorfulTheme,
    term: Term,
}

impl Prompter {
    /// Ctrl-C raises SIGINT both inside a prompt (`console` reads it as a key in raw mode, restores
    /// the terminal and raises it) and between prompts (the terminal driver sends it). Its default
    /// action would end the process by a signal, without exit 130, message or cursor; ignoring it
    /// would lose the Ctrl-C typed between prompts. So a handler ends the process the way a
    /// cancelled wizard should: nothing is on stdout yet, and the terminal gets its settings back.
    ///
    /// While it exists the terminal does not echo what is typed ahead of a prompt (keys sent
    /// while the previous answer is being checked, a paste): the prompts draw every character
    /// themselves, and an echo would move the cursor under them.
    pub fn new() -> Prompter {
        set_sigint(Sigint::Cancel);
        set_echo(Echo::Off);
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
    /// taken on Enter; an empty answer is accepted (and means "none") unless `required` says why
    /// one is needed. Esc cancels.
    pub fn text(
        &self,
        prompt: &str,
        default: Option<String>,
        required: Option<String>,
        check: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<String, WizardError> {
        let line = Line {
            theme: &self.theme,
            term: &self.term,
            prompt,
            default,
            required,
        };
        line.read(check)
    }

    /// Yes or no.
    pub fn confirm(&self, prompt: &str, default: bool) -> Result<bool, WizardError> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on_opt(&self.term)
            .map_err(terminal_error)?
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
            .map_err(terminal_error)?
            .ok_or(WizardError::Cancelled)
    }
}

impl Drop for Prompter {
    fn drop(&mut self) {
        set_echo(Echo::Restore);
        set_sigint(Sigint::Default);
    }
}

fn terminal_error(e: dialoguer::Error) -> WizardError {
    let dialoguer::Error::IO(io) = e;
    WizardError::Terminal(io)
}

enum Sigint {
    Cancel,
    Default,
}

#[cfg(unix)]
fn set_sigint(action: Sigint) {
    let handler = match action {
        Sigint::Cancel => cancel as extern "C" fn(libc::c_int) as libc::sighandler_t,
        Sigint::Default => libc::SIG_DFL,
    };
    // SAFETY: `cancel` only calls async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGINT, handler);
    }
}

/// Gives the terminal its settings back (echo), shows the cursor again (a menu hides it), says
/// why on stderr and exits like the CLI does for a cancelled wizard.
#[cfg(unix)]
extern "C" fn cancel(_: libc::c_int) {
    const MESSAGE: &[u8] = b"\x1b[?25h\nerror: cancelled\n";
    set_echo(Echo::Restore);
    // SAFETY: write(2) and _exit(2) are async-signal-safe; MESSAGE is a valid buffer.
    unsafe {
        libc::write(libc::STDERR_FILENO, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(crate::cli::EXIT_CANCELLED);
    }
}

/// Elsewhere Ctrl-C keeps its default action.
#[cfg(not(unix))]
fn set_sigint(_: Sigint) {}

enum Echo {
    /// No echo, no line editing by the terminal driver (the prompts read key by key).
    Off,
    /// The settings the terminal had when the wizard started.
    Restore,
}

/// The terminal settings of stdin before the wizard turned echo off.
#[cfg(unix)]
static SAVED: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

/// Sets echo on stdin's terminal (the one `console` reads keys from). Async-signal-safe for
/// `Restore`: tcsetattr(3) is, and reading a set `OnceLock` is an atomic load.
#[cfg(unix)]
fn set_echo(echo: Echo) {
    // SAFETY: termios is plain data; tcgetattr fills it, tcsetattr reads it; fd 0 is stdin.
    unsafe {
        match echo {
            Echo::Off => {
                let mut now: libc::termios = std::mem::zeroed();
                if libc::isatty(libc::STDIN_FILENO) != 1
                    || libc::tcgetattr(libc::STDIN_FILENO, &mut now) != 0
                {
                    return;
                }
                let saved = *SAVED.get_or_init(|| now);
                let mut quiet = saved;
                quiet.c_lflag &= !(libc::ECHO | libc::ICANON);
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet);
            }
            Echo::Restore => {
                if let Some(saved) = SAVED.get() {
                    libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
                }
            }
        }
    }
}

#[cfg(not(unix))]
fn set_echo(_: Echo) {}
