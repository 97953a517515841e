//! Tapes: raw frames with their receive times, one JSON object per line, written by
//! `premia record` and replayed as a feed source (`source = "tape"`) through the same codec.
//!
//! ```json
//! {"at":1763700000123456789,"binary":true,"frame":"{\"type\":\"ticker\",…}"}
//! ```
//!
//! `at` is the receive time in nanoseconds since the epoch, `binary` whether the frame came as a
//! binary WebSocket frame, `frame` its text. A replay is deterministic: the same tape gives the
//! same frames in the same order, paced by the recorded gaps divided by `speed`.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

use premia_events::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::FrameSource;

/// One recorded frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TapeFrame {
    /// Receive time, nanoseconds since the epoch.
    pub at: i64,
    /// Whether it arrived as a binary frame.
    pub binary: bool,
    /// The frame's text (exchanges send UTF-8 JSON in both kinds of frame).
    pub frame: String,
}

impl TapeFrame {
    /// The line `premia record` writes for this frame (without the newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A tape that cannot be read.
#[derive(Debug, Error)]
pub enum TapeError {
    /// The file could not be read.
    #[error("tape {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// The OS error.
        detail: String,
    },
    /// A line is not a tape frame.
    #[error("tape {path}:{line}: {detail}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        detail: String,
    },
    /// The tape has no frames.
    #[error("tape {path} has no frames")]
    Empty {
        /// The file.
        path: String,
    },
}

/// Reads a whole tape, checking every line.
pub fn read_tape(path: &Path) -> Result<Vec<TapeFrame>, TapeError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| TapeError::Read {
        path: name.clone(),
        detail: e.to_string(),
    })?;
    let mut frames = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let frame: TapeFrame = serde_json::from_str(line).map_err(|e| TapeError::Line {
            path: name.clone(),
            line: index + 1,
            detail: e.to_string(),
        })?;
        frames.push(frame);
    }
    if frames.is_empty() {
        return Err(TapeError::Empty { path: name });
    }
    Ok(frames)
}

/// Replays a tape as a polled [`FrameSource`].
#[derive(Debug)]
pub struct TapeSource {
    frames: VecDeque<TapeFrame>,
    /// The first frame's recorded time.
    origin: i64,
    /// When the replay started (set on the first poll).
    start: Option<Timestamp>,
    speed: u32,
    name: String,
    tick: Duration,
}

impl TapeSource {
    /// A replay of `frames` at `speed` times the recorded pace (1 = as recorded).
    pub fn new(frames: Vec<TapeFrame>, speed: u32, name: String) -> TapeSource {
        let origin = frames.first().map_or(0, |f| f.at);
        TapeSource {
            frames: frames.into(),
            origin,
            start: None,
            speed: speed.max(1),
            name,
            tick: Duration::from_millis(20),
        }
    }

    /// Frames left to replay.
    pub fn remaining(&self) -> usize {
        self.frames.len()
    }
}

impl FrameSource for TapeSource {
    fn poll(&mut self, now: Timestamp) -> Vec<Vec<u8>> {
        let start = *self.start.get_or_insert(now);
        let elapsed = now
            .nanos()
            .saturating_sub(start.nanos())
            .saturating_mul(i64::from(self.speed));
        let mut due = Vec::new();
        while self
            .frames
            .front()
            .is_some_and(|f| f.at.saturating_sub(self.origin) <= elapsed)
        {
            if let Some(frame) = self.frames.pop_front() {
                due.push(frame.frame.into_bytes());
            }
        }
        due
    }

    fn interval(&self) -> Duration {
        self.tick
    }

    fn describe(&self) -> String {
        format!(
            "tape {} ({} frames, speed {})",
            self.name,
            self.frames.len(),
            self.speed
        )
    }

    fn finished(&self) -> bool {
        self.frames.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(at: i64, text: &str) -> TapeFrame {
        TapeFrame {
            at,
            binary: false,
            frame: text.into(),
        }
    }

    #[test]
    fn frames_come_out_in_order_paced_by_the_recording() {
        let mut tape = TapeSource::new(
            vec![frame(1_000, "a"), frame(1_500, "b"), frame(3_000, "c")],
            1,
            "t".into(),
        );
        let start = Timestamp(10_000);
        assert_eq!(tape.poll(start), vec![b"a".to_vec()]);
        assert_eq!(tape.poll(Timestamp(10_400)), Vec::<Vec<u8>>::new());
        assert_eq!(tape.poll(Timestamp(10_500)), vec![b"b".to_vec()]);
        assert_eq!(tape.poll(Timestamp(99_999)), vec![b"c".to_vec()]);
        assert_eq!(tape.remaining(), 0);
    }

    #[test]
    fn speed_compresses_the_gaps() {
        let mut tape = TapeSource::new(vec![frame(0, "a"), frame(1_000, "b")], 10, "t".into());
        tape.poll(Timestamp(0));
        assert_eq!(tape.poll(Timestamp(100)), vec![b"b".to_vec()]);
    }

    #[test]
    fn lines_round_trip_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let line = TapeFrame {
            at: 5,
            binary: true,
            frame: "{\"x\":\"y\"}".into(),
        }
        .to_line();
        std::fs::write(&path, format!("{line}\n\nnot json\n")).unwrap();
        let error = read_tape(&path).unwrap_err().to_string();
        assert!(error.contains("t.jsonl:3:"), "{error}");
        std::fs::write(&path, format!("{line}\n")).unwrap();
        assert_eq!(read_tape(&path).unwrap()[0].frame, "{\"x\":\"y\"}");
        std::fs::write(&path, "").unwrap();
        assert!(matches!(read_tape(&path), Err(TapeError::Empty { .. })));
    }
}
