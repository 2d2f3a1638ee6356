//! Splits a top-level JSON array into the raw bytes of its elements, one at a time.
//!
//! Conversation files are single-line arrays of hundreds of megabytes, so they are never
//! parsed whole: the splitter tracks only strings and nesting depth, hands out each element's
//! bytes verbatim, and keeps the position of each element so that a later parse error can be
//! reported as an absolute byte offset, line and column. It does not validate the elements;
//! the caller parses each one.

use std::io::BufRead;

use memchr::memchr2;

use super::error::{Location, Position, SourceError};

/// The raw bytes of one array element and where it started.
#[derive(Debug)]
pub struct RawElement {
    /// Index of the element in the array (0-based).
    pub index: usize,
    /// Position of the element's first byte.
    pub start: Position,
    /// The element, byte for byte as written.
    pub bytes: Vec<u8>,
}

impl RawElement {
    /// Converts a line and column inside the element (as a JSON parser reports them) into a
    /// position in the whole file.
    pub fn position_of(&self, line: usize, column: usize) -> Position {
        let mut line_start = 0usize;
        for _ in 1..line {
            match memchr::memchr(b'\n', &self.bytes[line_start..]) {
                Some(p) => line_start += p + 1,
                None => break,
            }
        }
        let offset = (line_start + column.saturating_sub(1)).min(self.bytes.len());
        let (line, column) = if line <= 1 {
            (self.start.line, self.start.column + column.saturating_sub(1) as u64)
        } else {
            (self.start.line + line as u64 - 1, column as u64)
        };
        Position { offset: self.start.offset + offset as u64, line, column }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeArray,
    FirstElement,
    AfterElement,
    AfterComma,
    Finished,
}

/// Iterates over the elements of a JSON array read from `reader`.
pub struct ArraySplitter<R> {
    reader: R,
    location: Location,
    state: State,
    offset: u64,
    line: u64,
    line_start: u64,
    index: usize,
    stop_at_end: bool,
}

impl<R: BufRead> ArraySplitter<R> {
    /// Splits a whole file: only white space may follow the closing bracket.
    pub fn new(reader: R, location: Location) -> Self {
        Self {
            reader,
            location,
            state: State::BeforeArray,
            offset: 0,
            line: 1,
            line_start: 0,
            index: 0,
            stop_at_end: false,
        }
    }

    /// Splits an array embedded in a larger text (chat.html): whatever follows the closing
    /// bracket is ignored. `start` is the position of the reader's first byte.
    pub fn embedded(reader: R, location: Location, start: Position) -> Self {
        Self {
            offset: start.offset,
            line: start.line,
            line_start: start.offset + 1 - start.column,
            stop_at_end: true,
            ..Self::new(reader, location)
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn here(&self) -> Position {
        Position { offset: self.offset, line: self.line, column: self.offset - self.line_start + 1 }
    }

    fn error(&self, message: impl Into<String>) -> SourceError {
        SourceError::Json { location: self.location.at(self.here()), message: message.into() }
    }

    /// Skips white space (and a UTF-8 byte order mark at the very start) and returns the next
    /// byte without consuming it, or `None` at the end of input.
    fn peek_significant(&mut self) -> Result<Option<u8>, SourceError> {
        loop {
            let location = &self.location;
            let buf = self.reader.fill_buf().map_err(|e| SourceError::io(location.clone(), e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let b = buf[0];
            let bom = [0xEF, 0xBB, 0xBF];
            let in_bom = self.state == State::BeforeArray
                && self.offset < 3
                && b == bom[self.offset as usize];
            match b {
                _ if in_bom => self.line_start = self.offset + 1,
                b' ' | b'\t' | b'\r' => {}
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.offset + 1;
                }
                _ => return Ok(Some(b)),
            }
            self.reader.consume(1);
            self.offset += 1;
        }
    }

    fn consume_byte(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
    }

    fn next_element(&mut self) -> Result<Option<RawElement>, SourceError> {
        loop {
            let next = self.peek_significant()?;
            match (self.state, next) {
                (State::Finished, None) => return Ok(None),
                (State::Finished, Some(_)) if self.stop_at_end => return Ok(None),
                (State::Finished, Some(_)) => {
                    return Err(self.error("unexpected text after the closing ']'"));
                }
                (_, None) => return Err(self.error("unexpected end of file inside the array")),
                (State::BeforeArray, Some(b'[')) => {
                    self.consume_byte();
                    self.state = State::FirstElement;
                }
                (State::BeforeArray, Some(b'{')) => {
                    return Err(self.error("expected an array of conversations, found an object"));
                }
                (State::BeforeArray, Some(_)) => {
                    return Err(self.error("expected '[' at the start of the file"));
                }
                (State::FirstElement | State::AfterElement, Some(b']')) => {
                    self.consume_byte();
                    self.state = State::Finished;
                }
                (State::AfterElement, Some(b',')) => {
                    self.consume_byte();
                    self.state = State::AfterComma;
                }
                (State::AfterElement, Some(_)) => {
                    return Err(self.error("expected ',' or ']' after an array element"));
                }
                (State::AfterComma, Some(b']')) => {
                    return Err(self.error("trailing ',' before ']'"));
                }
                (State::FirstElement | State::AfterComma, Some(_)) => {
                    let element = self.read_element()?;
                    self.state = State::AfterElement;
                    return Ok(Some(element));
                }
            }
        }
    }

    fn read_element(&mut self) -> Result<RawElement, SourceError> {
        let start = self.here();
        let mut bytes = Vec::new();
        let mut scanner = Scanner::default();
        loop {
            let location = &self.location;
            let buf = self.reader.fill_buf().map_err(|e| SourceError::io(location.clone(), e))?;
            if buf.is_empty() {
                if scanner.is_complete_scalar() {
                    break;
                }
                return Err(self.error("unexpected end of file inside an array element"));
            }
            let step = scanner.scan(buf);
            bytes.extend_from_slice(&buf[..step.consumed]);
            for newline in step.newlines {
                self.line += 1;
                self.line_start = self.offset + newline as u64 + 1;
            }
            self.reader.consume(step.consumed);
            self.offset += step.consumed as u64;
            if let Some(message) = step.error {
                return Err(self.error(message));
            }
            if step.done {
                break;
            }
        }
        let index = self.index;
        self.index += 1;
        Ok(RawElement { index, start, bytes })
    }
}

impl<R: BufRead> Iterator for ArraySplitter<R> {
    type Item = Result<RawElement, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_element() {
            Ok(Some(element)) => Some(Ok(element)),
            Ok(None) => None,
            Err(error) => {
                self.state = State::Finished;
                self.stop_at_end = true;
                Some(Err(error))
            }
        }
    }
}

/// The result of scanning one buffer.
struct Step {
    consumed: usize,
    newlines: Vec<usize>,
    done: bool,
    error: Option<&'static str>,
}

/// Tracks strings, escapes and nesting across buffer boundaries.
#[derive(Default)]
struct Scanner {
    depth: usize,
    in_string: bool,
    escaped: bool,
    started: bool,
    scalar: bool,
}

impl Scanner {
    fn is_complete_scalar(&self) -> bool {
        self.scalar
    }

    fn scan(&mut self, buf: &[u8]) -> Step {
        let mut step = Step { consumed: buf.len(), newlines: Vec::new(), done: false, error: None };
        let mut i = 0;
        while i < buf.len() {
            if self.in_string {
                i = self.skip_string(buf, i);
                if !self.in_string && self.depth == 0 {
                    step.consumed = i;
                    step.done = true;
                    return step;
                }
                continue;
            }
            let b = buf[i];
            if self.scalar && matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                step.consumed = i;
                step.done = true;
                return step;
            }
            i += 1;
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth == 0 => {
                    step.consumed = i;
                    step.error = Some("unbalanced closing bracket");
                    return step;
                }
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        step.consumed = i;
                        step.done = true;
                        return step;
                    }
                }
                b'\n' => step.newlines.push(i - 1),
                _ if !self.started => self.scalar = true,
                _ => {}
            }
            self.started = true;
        }
        step
    }

    /// Advances past string content from `i`, returning the index after what was read.
    fn skip_string(&mut self, buf: &[u8], mut i: usize) -> usize {
        if self.escaped {
            self.escaped = false;
            i += 1;
        }
        while i < buf.len() {
            match memchr2(b'"', b'\\', &buf[i..]) {
                None => return buf.len(),
                Some(found) => {
                    let at = i + found;
                    if buf[at] == b'"' {
                        self.in_string = false;
                        return at + 1;
                    }
                    if at + 1 == buf.len() {
                        self.escaped = true;
                        return buf.len();
                    }
                    i = at + 2;
                }
            }
        }
        i.min(buf.len())
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::*;

    fn split(text: &str, capacity: usize) -> Vec<Result<(usize, String), String>> {
        let reader = BufReader::with_capacity(capacity, text.as_bytes());
        ArraySplitter::new(reader, Location::file("t.json"))
            .map(|r| {
                r.map(|e| (e.start.offset as usize, String::from_utf8(e.bytes).unwrap()))
                    .map_err(|e| e.to_string())
            })
            .collect()
    }

    #[test]
    fn splits_elements_whatever_the_buffer_size() {
        let text = "\u{feff}[ {\"a\": \"x]}\\\"\"}, [1, {\"b\": 2}] ,\n \"s\\\\\", 12.5, null ]\n";
        for capacity in [1, 2, 3, 7, 64] {
            let got: Vec<_> = split(text, capacity).into_iter().map(Result::unwrap).collect();
            assert_eq!(
                got,
                vec![
                    (5, "{\"a\": \"x]}\\\"\"}".to_string()),
                    (21, "[1, {\"b\": 2}]".to_string()),
                    (38, "\"s\\\\\"".to_string()),
                    (45, "12.5".to_string()),
                    (51, "null".to_string()),
                ],
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn empty_array_has_no_elements() {
        assert!(split(" [ ] ", 4).is_empty());
    }

    #[test]
    fn reports_positions_of_structural_errors() {
        let got = split("[{\"a\":1}\n {\"b\":2}]", 3);
        assert_eq!(
            got.last().unwrap().as_ref().unwrap_err(),
            "t.json:2:2 (byte 10): invalid JSON: expected ',' or ']' after an array element"
        );
        let got = split("[{\"a\":1}", 16);
        assert_eq!(
            got.last().unwrap().as_ref().unwrap_err(),
            "t.json:1:9 (byte 8): invalid JSON: unexpected end of file inside the array"
        );
        assert_eq!(
            split("{\"conversations\": []}", 8)[0].as_ref().unwrap_err(),
            "t.json:1:1 (byte 0): invalid JSON: expected an array of conversations, found an object"
        );
        assert_eq!(
            split("[1,]", 8).last().unwrap().as_ref().unwrap_err(),
            "t.json:1:4 (byte 3): invalid JSON: trailing ',' before ']'"
        );
    }

    #[test]
    fn embedded_array_ignores_what_follows() {
        let reader = BufReader::new("[{\"a\":1}];\nvar assetsJson = {}".as_bytes());
        let start = Position { offset: 100, line: 3, column: 12 };
        let mut splitter = ArraySplitter::embedded(reader, Location::file("chat.html"), start);
        let first = splitter.next().unwrap().unwrap();
        assert_eq!(first.start, Position { offset: 101, line: 3, column: 13 });
        assert!(splitter.next().is_none());
    }
}
