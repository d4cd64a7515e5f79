//! Per-minute rollups: checks, failures and latency min/avg/max/p95 of one monitor's minute,
//! packed sixty to an hour row of 600 bytes, so a year of one monitor is 8,760 small rows
//! (about 5.5 MB with keys) however often it is checked.

use serde::Serialize;
use utoipa::ToSchema;

pub const SLOTS: usize = 60;
pub const SLOT_BYTES: usize = 10;
pub const HOUR_BYTES: usize = SLOTS * SLOT_BYTES;

/// One minute of one monitor. Latencies in milliseconds, capped at 65,535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[schema(as = MonitorMinute)]
pub struct Minute {
    pub checks: u8,
    pub failures: u8,
    pub min_ms: u16,
    pub avg_ms: u16,
    pub max_ms: u16,
    pub p95_ms: u16,
}

impl Minute {
    /// Summarises the minute's checks: `(ok, latency ms)` each.
    pub fn from_checks(checks: &[(bool, u32)]) -> Minute {
        if checks.is_empty() {
            return Minute::default();
        }
        let mut lat: Vec<u32> = checks.iter().map(|(_, l)| *l).collect();
        lat.sort_unstable();
        let cap = |v: u64| u16::try_from(v).unwrap_or(u16::MAX);
        let sum: u64 = lat.iter().map(|&l| u64::from(l)).sum();
        // Nearest rank: the smallest value with at least 95 % of the checks at or below it.
        let rank = (lat.len() * 95).div_ceil(100).max(1) - 1;
        Minute {
            checks: u8::try_from(checks.len()).unwrap_or(u8::MAX),
            failures: u8::try_from(checks.iter().filter(|(ok, _)| !ok).count()).unwrap_or(u8::MAX),
            min_ms: cap(u64::from(lat[0])),
            avg_ms: cap(sum / lat.len() as u64),
            max_ms: cap(u64::from(lat[lat.len() - 1])),
            p95_ms: cap(u64::from(lat[rank])),
        }
    }

    fn write(&self, out: &mut [u8]) {
        out[0] = self.checks;
        out[1] = self.failures;
        for (i, v) in [self.min_ms, self.avg_ms, self.max_ms, self.p95_ms].into_iter().enumerate() {
            out[2 + i * 2..4 + i * 2].copy_from_slice(&v.to_le_bytes());
        }
    }

    fn read(b: &[u8]) -> Minute {
        let u = |i: usize| u16::from_le_bytes([b[2 + i * 2], b[3 + i * 2]]);
        Minute { checks: b[0], failures: b[1], min_ms: u(0), avg_ms: u(1), max_ms: u(2), p95_ms: u(3) }
    }
}

/// Writes `m` into minute `slot` (0–59) of an hour row, making the row whole if it is short.
pub fn put(row: &mut Vec<u8>, slot: usize, m: &Minute) {
    row.resize(HOUR_BYTES, 0);
    let at = slot.min(SLOTS - 1) * SLOT_BYTES;
    m.write(&mut row[at..at + SLOT_BYTES]);
}

/// The minutes of an hour row that had checks, with their slot numbers.
pub fn minutes(row: &[u8]) -> Vec<(usize, Minute)> {
    row.chunks_exact(SLOT_BYTES).enumerate().map(|(i, b)| (i, Minute::read(b))).filter(|(_, m)| m.checks > 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_round_trips_through_its_hour_row() {
        let checks: Vec<(bool, u32)> = (1..=20).map(|i| (i != 7, i * 10)).collect();
        let m = Minute::from_checks(&checks);
        assert_eq!((m.checks, m.failures, m.min_ms, m.max_ms, m.avg_ms, m.p95_ms), (20, 1, 10, 200, 105, 190));
        let mut row = Vec::new();
        put(&mut row, 59, &m);
        put(&mut row, 3, &Minute::from_checks(&[(true, 70_000)]));
        assert_eq!(row.len(), HOUR_BYTES);
        let back = minutes(&row);
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].1.max_ms, u16::MAX, "capped");
        assert_eq!(back[1], (59, m));
        assert_eq!(Minute::from_checks(&[]), Minute::default());
    }
}
