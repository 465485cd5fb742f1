//! The progress line of `eval` on standard error: only on a terminal, never in CI, and
//! only once a run has taken more than a second. It says what the run is doing (with
//! `limit` rules: the first reading, the allocation, the second reading), how far it is
//! (from the bytes read of the file's size; in the second reading of a `limit` run, from
//! the records written of those read), the rate over the last seconds and the time left.

use std::collections::VecDeque;
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clearance::Stage;

/// Whether to show progress: standard error is a terminal and `CI` is not set.
pub fn enabled(stderr_is_terminal: bool, ci: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && ci.is_none()
}

/// Rates over a sliding window of recent samples, so that a rate reflects the last few
/// seconds, not the run's first millisecond.
#[derive(Debug)]
pub struct Window {
    span: Duration,
    /// (time since the start, count), oldest first.
    samples: VecDeque<(Duration, u64)>,
}

impl Window {
    /// Fewer seconds than this between the oldest and newest sample: no rate yet.
    const SHORTEST: Duration = Duration::from_millis(500);

    /// A window over the last `span`.
    pub fn new(span: Duration) -> Window {
        Window {
            span,
            samples: VecDeque::new(),
        }
    }

    /// Notes that `count` was reached at `at` (times in order; a count that goes back
    /// starts the window anew).
    pub fn push(&mut self, at: Duration, count: u64) {
        if self.samples.back().is_some_and(|(_, c)| *c > count) {
            self.samples.clear();
        }
        self.samples.push_back((at, count));
        // Keep one sample older than the span, so the window always covers it.
        while self.samples.len() > 2 && at.saturating_sub(self.samples[1].0) >= self.span {
            self.samples.pop_front();
        }
    }

    /// Counts per second over the window; `None` until it covers half a second.
    pub fn rate(&self) -> Option<f64> {
        let (&(t0, c0), &(t1, c1)) = (self.samples.front()?, self.samples.back()?);
        let dt = t1.checked_sub(t0)?;
        (dt >= Self::SHORTEST).then(|| (c1 - c0) as f64 / dt.as_secs_f64())
    }

    /// The time to reach `total` from the newest count at the window's rate.
    pub fn left(&self, total: u64) -> Option<Duration> {
        let rate = self.rate().filter(|r| *r > 0.0)?;
        let (_, done) = self.samples.back()?;
        let secs = total.saturating_sub(*done) as f64 / rate;
        (secs.is_finite() && secs < 1e9).then(|| Duration::from_secs_f64(secs))
    }
}

/// `1,234,567`
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `806k`, `1.2M`: a rate, short.
fn short(rate: f64) -> String {
    match rate {
        r if r >= 1e6 => format!("{:.1}M", r / 1e6),
        r if r >= 1e3 => format!("{:.0}k", r / 1e3),
        r => format!("{r:.0}"),
    }
}

/// `1m 05s`, `12s`
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s >= 3600 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// What one update shows: a fraction done, if known, and the message.
pub fn describe(
    stage: Stage,
    limits: bool,
    records: u64,
    records_rate: Option<f64>,
    fraction: Option<f64>,
    left: Option<Duration>,
) -> String {
    let what = match (stage, limits) {
        (Stage::Allocating, _) => {
            return format!("allocating the limits over {} records", grouped(records))
        }
        (Stage::Reading, _) => "reading 1 of 2: ",
        (Stage::Writing, true) => "reading 2 of 2: ",
        (Stage::Writing, false) => "",
    };
    let mut parts = Vec::new();
    if let Some(f) = fraction {
        parts.push(format!("{:.0}%", (f * 100.0).clamp(0.0, 100.0)));
    }
    parts.push(format!("{} records", grouped(records)));
    if let Some(r) = records_rate {
        parts.push(format!("{} records/s", short(r)));
    }
    if let Some(l) = left {
        let pass = if limits { " in this reading" } else { "" };
        parts.push(format!("{} left{pass}", duration(l)));
    }
    format!("{what}{}", parts.join(" · "))
}

/// The progress of one `eval` run.
pub struct Progress {
    enabled: bool,
    color: bool,
    limits: bool,
    started: Instant,
    last_draw: Option<Instant>,
    bar: Option<indicatif::ProgressBar>,
    /// Bytes read of the current opening, and the file's size.
    read: Arc<AtomicU64>,
    size: Option<u64>,
    stage: Option<Stage>,
    /// Records read in the first reading (a `limit` run's second reading counts to it).
    total: Option<u64>,
    records: Window,
    /// Of bytes (or, in a second reading, of records): what "time left" is measured in.
    work: Window,
}

impl Progress {
    /// For a run over data whose bytes read are counted in `read`, of `size` bytes.
    pub fn new(read: Arc<AtomicU64>, size: Option<u64>, limits: bool) -> Self {
        let ci = std::env::var_os("CI");
        Progress {
            enabled: enabled(io::stderr().is_terminal(), ci.as_deref()),
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            limits,
            started: Instant::now(),
            last_draw: None,
            bar: None,
            read,
            size,
            stage: None,
            total: None,
            records: Window::new(Duration::from_secs(5)),
            work: Window::new(Duration::from_secs(5)),
        }
    }

    /// The run reached `records` in `stage`.
    pub fn update(&mut self, stage: Stage, records: usize) {
        if !self.enabled {
            return;
        }
        let now = self.started.elapsed();
        if self.stage != Some(stage) {
            self.stage = Some(stage);
            self.records = Window::new(Duration::from_secs(5));
            self.work = Window::new(Duration::from_secs(5));
            if stage == Stage::Allocating {
                self.total = Some(records as u64);
            }
        }
        let records = records as u64;
        // A second reading is measured against the records of the first; any other
        // reading of a file, against its size.
        let (done, total) = match (stage, self.total) {
            (Stage::Writing, Some(total)) if self.limits => (records, Some(total)),
            _ => (self.read.load(Ordering::Relaxed), self.size),
        };
        self.records.push(now, records);
        self.work.push(now, done);
        if now < Duration::from_secs(1) {
            return;
        }
        let drawn_lately = self
            .last_draw
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100));
        if drawn_lately && stage != Stage::Allocating {
            return;
        }
        self.last_draw = Some(Instant::now());
        let fraction = total.filter(|t| *t > 0).map(|t| done as f64 / t as f64);
        let left = total.and_then(|t| self.work.left(t));
        let message = describe(
            stage,
            self.limits,
            records,
            self.records.rate(),
            fraction,
            left,
        );
        let bar = self.bar.get_or_insert_with(|| new_bar(self.color));
        if let Some(f) = fraction.filter(|_| stage != Stage::Allocating) {
            bar.set_position((f * 1000.0).clamp(0.0, 1000.0) as u64);
        }
        bar.set_message(message);
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn new_bar(color: bool) -> indicatif::ProgressBar {
    let template = if color {
        "{spinner:.cyan} [{bar:20.cyan/blue}] {msg}"
    } else {
        "{spinner} [{bar:20}] {msg}"
    };
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn the_rate_is_that_of_the_last_seconds_not_of_the_start() {
        let mut w = Window::new(Duration::from_secs(5));
        // A burst in the first millisecond, then a steady 1,000 per second.
        w.push(at(0), 0);
        w.push(at(1), 50_000);
        assert_eq!(w.rate(), None, "no rate from a millisecond");
        for s in 1..=20 {
            w.push(at(s * 1000), 50_000 + s * 1000);
        }
        let rate = w.rate().expect("a rate");
        assert!((rate - 1000.0).abs() < 1e-6, "{rate}");
        // 10,000 to go at 1,000 per second.
        let total = 50_000 + 20 * 1000 + 10_000;
        assert_eq!(w.left(total), Some(Duration::from_secs(10)));
    }

    #[test]
    fn a_slowdown_shows_within_the_window() {
        let mut w = Window::new(Duration::from_secs(5));
        for s in 0..=10 {
            w.push(at(s * 1000), s * 10_000);
        }
        for s in 11..=20 {
            w.push(at(s * 1000), 100_000 + (s - 10) * 100);
        }
        let rate = w.rate().expect("a rate");
        assert!((rate - 100.0).abs() < 1e-6, "{rate}");
    }

    #[test]
    fn no_time_left_without_progress_or_a_total_reached() {
        let mut w = Window::new(Duration::from_secs(5));
        w.push(at(0), 10);
        w.push(at(2000), 10);
        assert_eq!(w.rate(), Some(0.0));
        assert_eq!(w.left(100), None);
        // A count going back (a new reading) starts over.
        w.push(at(2500), 3);
        assert_eq!(w.rate(), None);
    }

    #[test]
    fn shown_only_on_a_terminal_and_never_in_ci() {
        assert!(enabled(true, None));
        assert!(!enabled(false, None));
        assert!(!enabled(true, Some(std::ffi::OsStr::new("true"))));
        assert!(!enabled(true, Some(std::ffi::OsStr::new(""))));
    }

    #[test]
    fn what_each_stage_says() {
        let s = describe(
            Stage::Writing,
            false,
            1_234_567,
            Some(806_000.0),
            Some(0.42),
            Some(Duration::from_secs(65)),
        );
        assert_eq!(s, "42% · 1,234,567 records · 806k records/s · 1m 05s left");
        let s = describe(Stage::Reading, true, 10, None, None, None);
        assert_eq!(s, "reading 1 of 2: 10 records");
        let s = describe(Stage::Allocating, true, 5_000, None, None, None);
        assert_eq!(s, "allocating the limits over 5,000 records");
        let s = describe(
            Stage::Writing,
            true,
            7,
            Some(2.0),
            Some(0.5),
            Some(Duration::from_secs(3)),
        );
        assert_eq!(
            s,
            "reading 2 of 2: 50% · 7 records · 2 records/s · 3s left in this reading"
        );
    }
}
