//! What a terminal would show for the bytes a program wrote to it: enough of a VT100 for
//! dialoguer's prompts, which redraw lines (carriage return, clear line, cursor up) rather than
//! append, on a terminal of a given width, where a long line wraps to the next row as in xterm
//! (the cursor waits at the last column until the next character). Colours and other sequences are
//! dropped, so the result is plain text.

/// The rows on a screen `columns` wide, trailing spaces trimmed.
pub fn render(bytes: &[u8], columns: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut screen = Screen {
        columns,
        ..Screen::default()
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    chars.next(); // A two-character sequence such as ESC 7: no effect on text.
                    continue;
                }
                chars.next();
                let mut params = String::new();
                let mut end = ' ';
                for p in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&p) {
                        end = p;
                        break;
                    }
                    params.push(p);
                }
                screen.control(end, &params);
            }
            '\r' => screen.col = 0,
            '\n' => screen.down(1),
            '\x07' | '\x08' => {}
            c => screen.put(c),
        }
    }
    let mut lines: Vec<String> = screen
        .lines
        .iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_string())
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n") + "\n"
}

#[derive(Default)]
struct Screen {
    lines: Vec<Vec<char>>,
    row: usize,
    /// `columns` when a character was written in the last column: the next one wraps.
    col: usize,
    columns: usize,
}

impl Screen {
    fn line(&mut self) -> &mut Vec<char> {
        while self.lines.len() <= self.row {
            self.lines.push(Vec::new());
        }
        &mut self.lines[self.row]
    }

    fn put(&mut self, c: char) {
        if self.col >= self.columns {
            self.down(1);
        }
        let col = self.col;
        let line = self.line();
        if line.len() <= col {
            line.resize(col, ' ');
            line.push(c);
        } else {
            line[col] = c;
        }
        self.col += 1;
    }

    fn down(&mut self, n: usize) {
        self.row += n;
        self.col = 0;
        self.line();
    }

    fn control(&mut self, end: char, params: &str) {
        // A cursor waiting to wrap is in the last column.
        self.col = self.col.min(self.columns.saturating_sub(1));
        let n = params.parse::<usize>().unwrap_or(1).max(1);
        match (end, params) {
            ('A', _) => self.row = self.row.saturating_sub(n),
            ('B', _) => self.row += n,
            ('C', _) => self.col = (self.col + n).min(self.columns.saturating_sub(1)),
            ('D', _) => self.col = self.col.saturating_sub(n),
            ('G', _) => self.col = n - 1,
            ('K', "2") => self.line().clear(),
            ('K', _) => {
                let col = self.col;
                self.line().truncate(col);
            }
            ('J', _) => {
                let (row, col) = (self.row, self.col);
                self.line().truncate(col);
                self.lines.truncate(row + 1);
            }
            _ => {} // Colours, cursor visibility: nothing to show.
        }
    }
}
