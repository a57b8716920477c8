//! When to try again within a call, and how long to wait. Transient statuses (408, 429,
//! 502-504) and connect errors are retried here; whether a failure is worth a later try
//! is decided once, in [`crate::Error::retryability`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// HTTP statuses worth another attempt.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// Statuses that say the request was refused before it was processed, so re-sending
/// a POST cannot apply it twice. A 502/504 gateway may have forwarded it already.
pub fn is_unprocessed_status(status: u16) -> bool {
    matches!(status, 429 | 503)
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// First backoff step; doubles each attempt.
    pub base: Duration,
    /// Largest backoff step.
    pub cap: Duration,
    /// Largest `Retry-After` we honour; a longer one fails the call instead of stalling PHP.
    pub retry_after_cap: Duration,
    /// Re-sends of a refused change that the confirming read contradicts (another client
    /// changed the alias meanwhile); past them the refusal is reported.
    pub contested_resends: u32,
    /// The pause before such a re-send, jittered in [pause/2, pause] so that contending
    /// writers fall out of step.
    pub contested_pause: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(4),
            retry_after_cap: Duration::from_secs(30),
            contested_resends: 3,
            contested_pause: Duration::from_millis(20),
        }
    }
}

impl RetryPolicy {
    /// The jittered pause before re-sending a contested change.
    pub fn contested_pause(&self) -> Duration {
        jitter(self.contested_pause)
    }

    /// "Full jitter" backoff for the given 1-based attempt that just failed:
    /// a random wait in [step/2, step], step = min(cap, base * 2^(attempt-1)).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(16);
        jitter(self.base.saturating_mul(1 << exp).min(self.cap))
    }

    /// The wait a `Retry-After` header asks for, if we honour it.
    pub fn retry_after(&self, header: Option<&str>) -> Option<Duration> {
        let secs: u64 = header?.trim().parse().ok()?;
        let wait = Duration::from_secs(secs);
        (wait <= self.retry_after_cap).then_some(wait)
    }
}

/// Small xorshift generator: jitter needs spread, not cryptographic quality.
fn next_random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        x = nanos ^ (u64::from(std::process::id()) << 32) | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x
}

/// A random wait in [step/2, step].
fn jitter(step: Duration) -> Duration {
    let half = step / 2;
    let spread = step.saturating_sub(half).as_nanos() as u64;
    half + Duration::from_nanos(if spread == 0 { 0 } else { next_random() % (spread + 1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy { base: Duration::from_millis(100), cap: Duration::from_millis(800), ..Default::default() };
        for attempt in 1..=8 {
            let step = Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(800));
            for _ in 0..50 {
                let d = p.backoff(attempt);
                assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?} outside [{:?}, {step:?}]", step / 2);
            }
        }
        let samples: std::collections::HashSet<_> = (0..20).map(|_| p.backoff(3)).collect();
        assert!(samples.len() > 1, "no jitter: {samples:?}");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(p.retry_after(Some(" 0 ")), Some(Duration::ZERO));
        assert_eq!(p.retry_after(Some("31")), None);
        assert_eq!(p.retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(p.retry_after(None), None);
    }

    #[test]
    fn statuses() {
        for s in [429, 502, 503, 504, 408] {
            assert!(is_transient_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 500, 501] {
            assert!(!is_transient_status(s), "{s}");
        }
        assert!(is_unprocessed_status(429) && is_unprocessed_status(503));
        assert!(!is_unprocessed_status(502) && !is_unprocessed_status(504));
    }
}
