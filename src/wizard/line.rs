//! A one-line text prompt drawn in the dialoguer theme, for what dialoguer's `Input` does not do:
//! Esc cancels (as in menus); an empty answer to a required question says why it is asked again;
//! and the prompt, the answer and the reason above them are redrawn by the rows they take on the
//! terminal, so a reason longer than the terminal is wide is cleared whole, not half.

use super::WizardError;
use console::{measure_text_width, Key, Term};
use dialoguer::theme::{ColorfulTheme, Theme};

/// One question being answered.
pub struct Line<'a> {
    pub theme: &'a ColorfulTheme,
    pub term: &'a Term,
    pub prompt: &'a str,
    pub default: Option<String>,
    /// Why an empty answer is not taken; `None` when it is (and means "none").
    pub required: Option<String>,
}

/// What is on the terminal: the reason an answer was not taken (if any), then the prompt and the
/// answer typed so far, with the cursor in it.
struct Screen {
    reason: Option<String>,
    chars: Vec<char>,
    cursor: usize,
    /// Rows between the first row drawn and the cursor's.
    rows_above: usize,
}

impl Line<'_> {
    /// Reads an answer until `check` accepts it; Esc returns [`WizardError::Cancelled`].
    pub fn read(
        &self,
        mut check: impl FnMut(&str) -> Result<(), String>,
    ) -> Result<String, WizardError> {
        let io = |e: std::io::Error| WizardError::Terminal(e);
        let mut screen = Screen {
            reason: None,
            chars: Vec::new(),
            cursor: 0,
            rows_above: 0,
        };
        self.draw(&mut screen).map_err(io)?;
        loop {
            match self.term.read_key().map_err(io)? {
                Key::Escape => {
                    self.clear(&screen).map_err(io)?;
                    return Err(WizardError::Cancelled);
                }
                Key::Enter => {
                    let typed: String = screen.chars.iter().collect();
                    match self.accept(typed, &mut check) {
                        Ok(answer) => {
                            self.clear(&screen).map_err(io)?;
                            let mut done = String::new();
                            let _ = self.theme.format_input_prompt_selection(
                                &mut done,
                                self.prompt,
                                &answer,
                            );
                            self.term.write_line(&done).map_err(io)?;
                            return Ok(answer);
                        }
                        Err(reason) => {
                            screen.reason = Some(reason);
                            screen.chars.clear();
                            screen.cursor = 0;
                        }
                    }
                }
                Key::Char(c) if !c.is_control() => {
                    screen.chars.insert(screen.cursor, c);
                    screen.cursor += 1;
                }
                Key::Backspace if screen.cursor > 0 => {
                    screen.cursor -= 1;
                    screen.chars.remove(screen.cursor);
                }
                Key::Del if screen.cursor < screen.chars.len() => {
                    screen.chars.remove(screen.cursor);
                }
                Key::ArrowLeft if screen.cursor > 0 => screen.cursor -= 1,
                Key::ArrowRight if screen.cursor < screen.chars.len() => screen.cursor += 1,
                Key::Home => screen.cursor = 0,
                Key::End => screen.cursor = screen.chars.len(),
                _ => continue,
            }
            self.draw(&mut screen).map_err(io)?;
        }
    }

    /// The answer `typed` stands for (the default when empty), or why it is not taken.
    fn accept(
        &self,
        typed: String,
        check: &mut impl FnMut(&str) -> Result<(), String>,
    ) -> Result<String, String> {
        let answer = match (typed.is_empty(), &self.default, &self.required) {
            (true, Some(default), _) => default.clone(),
            (true, None, None) => return Ok(typed),
            (true, None, Some(why)) => return Err(format!("an answer is needed: {why}")),
            (false, _, _) => typed,
        };
        check(&answer).map(|()| answer)
    }

    /// Columns of the terminal (at least 1).
    fn columns(&self) -> usize {
        usize::from(self.term.size().1).max(1)
    }

    /// Moves to the first row drawn and clears from there to the end of the screen.
    fn clear(&self, screen: &Screen) -> std::io::Result<()> {
        if screen.rows_above > 0 {
            self.term.move_cursor_up(screen.rows_above)?;
        }
        self.term.write_str("\r")?;
        self.term.clear_to_end_of_screen()
    }

    /// Draws the reason, the prompt and the answer afresh, and puts the cursor in the answer.
    fn draw(&self, screen: &mut Screen) -> std::io::Result<()> {
        self.clear(screen)?;
        let columns = self.columns();
        let mut reason_rows = 0;
        if let Some(reason) = &screen.reason {
            let mut text = String::new();
            let _ = self.theme.format_error(&mut text, reason);
            // Each line takes its rows (a full last row leaves the cursor on it, waiting to wrap).
            let rows = |line: &str| measure_text_width(line).div_ceil(columns).max(1);
            reason_rows = text.split('\n').map(rows).sum();
            self.term.write_str(&format!("{text}\n"))?;
        }
        let mut prompt = String::new();
        let _ = self
            .theme
            .format_input_prompt(&mut prompt, self.prompt, self.default.as_deref());
        let typed: String = screen.chars.iter().collect();
        let before: String = screen.chars[..screen.cursor].iter().collect();
        let start = measure_text_width(&prompt);
        let end = start + measure_text_width(&typed);
        self.term.write_str(&format!("{prompt}{typed}"))?;
        // At the end of a full row the cursor waits to wrap: move it to the next row's start, so
        // that the row it is on is `end / columns`.
        if end > 0 && end.is_multiple_of(columns) {
            self.term.write_str("\n\r")?;
        }
        let at = start + measure_text_width(&before);
        let (end_row, at_row) = (end / columns, at / columns);
        if end_row > at_row {
            self.term.move_cursor_up(end_row - at_row)?;
        }
        self.term.write_str("\r")?;
        self.term.move_cursor_right(at % columns)?;
        screen.rows_above = reason_rows + at_row;
        self.term.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_answer_takes_the_default_or_says_why_it_is_needed() {
        let theme = ColorfulTheme::default();
        let term = Term::stderr();
        let line = |default: Option<&str>, required: Option<&str>| Line {
            theme: &theme,
            term: &term,
            prompt: "Service port",
            default: default.map(str::to_string),
            required: required.map(str::to_string),
        };
        let mut any = |_: &str| Ok(());
        assert_eq!(
            line(None, Some("port is required")).accept(String::new(), &mut any),
            Err("an answer is needed: port is required".into())
        );
        assert_eq!(
            line(Some("80"), Some("port is required")).accept(String::new(), &mut any),
            Ok("80".into())
        );
        assert_eq!(
            line(None, None).accept(String::new(), &mut any),
            Ok("".into())
        );
        let mut refuse = |a: &str| Err(format!("{a} is not a port"));
        assert_eq!(
            line(Some("x"), None).accept(String::new(), &mut refuse),
            Err("x is not a port".into())
        );
    }
}
