//! Wall clocks for the scheduler: the system's, and one tests drive.

use crate::domain::Timestamp;

/// Where "now" comes from. The system clock in production; tests drive time with tokio's
/// paused clock and can jump the wall clock.
pub trait WallClock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl WallClock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Wall time that follows tokio's clock (so `tokio::time::pause`/`advance` move it) plus an
/// offset a test can change to simulate the wall clock being set forward or back.
pub struct TokioClock {
    base: Timestamp,
    start: tokio::time::Instant,
    offset_ms: std::sync::atomic::AtomicI64,
}

impl TokioClock {
    pub fn new(base: Timestamp) -> Self {
        TokioClock {
            base,
            start: tokio::time::Instant::now(),
            offset_ms: Default::default(),
        }
    }
    /// Moves the wall clock without any time passing.
    pub fn jump(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl WallClock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.start.elapsed().as_millis() as i64;
        Timestamp(self.base.0 + elapsed + self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}
