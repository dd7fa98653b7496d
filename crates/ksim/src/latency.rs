//! Delivery latencies as a bounded log-linear histogram (the HDR histogram's bucket layout, with a
//! fixed precision): recording is O(1), a percentile walks at most a few thousand counters, and
//! the memory does not grow with the number of deliveries — the run can go on for hours and
//! `Simulation::metrics()`, asked for every frame, costs the same at any length.
//!
//! Precision: values below [`EXACT_BELOW_US`] (256 µs) are counted exactly; above, each power
//! of two is split into 128 equal buckets, so a reported percentile is within 1/256 (0.4 %) of
//! the value it stands for (it reports the bucket's middle, clamped to the exact minimum and
//! maximum). The maximum is exact. A dependency-free layout rather than the `hdrhistogram` crate:
//! it needs no more than this and keeps the wasm small.

use serde::{Deserialize, Serialize};

/// Sub-bucket bits: values below `1 << SUB_BITS` are exact.
const SUB_BITS: u32 = 8;
/// Values below this many microseconds are counted exactly.
pub const EXACT_BELOW_US: u64 = 1 << SUB_BITS;
/// Buckets per power of two above [`EXACT_BELOW_US`].
const HALF: u64 = EXACT_BELOW_US / 2;

/// Counts of latencies in microseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Count per bucket ([`bucket_of`]); grown only as far as the largest value needs.
    counts: Vec<u64>,
    total: u64,
    min_us: u64,
    max_us: u64,
}

/// The bucket index of `v`: `v` itself below [`EXACT_BELOW_US`]; above, the power of two and the
/// top `SUB_BITS` bits of `v`.
fn bucket_of(v: u64) -> usize {
    if v < EXACT_BELOW_US {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb + 1 - SUB_BITS;
    let top = v >> shift; // in HALF..EXACT_BELOW_US
    (EXACT_BELOW_US + (shift as u64 - 1) * HALF + (top - HALF)) as usize
}

/// The lowest value and the width of bucket `i` (the inverse of [`bucket_of`]).
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < EXACT_BELOW_US {
        return (i, 1);
    }
    let shift = (i - EXACT_BELOW_US) / HALF + 1;
    let top = (i - EXACT_BELOW_US) % HALF + HALF;
    (top << shift, 1 << shift)
}

impl LatencyHistogram {
    pub fn record(&mut self, v_us: u64) {
        let i = bucket_of(v_us);
        if self.counts.len() <= i {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        if self.total == 0 || v_us < self.min_us {
            self.min_us = v_us;
        }
        self.max_us = self.max_us.max(v_us);
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max_us(&self) -> Option<u64> {
        (self.total > 0).then_some(self.max_us)
    }

    /// The `p` quantile by nearest rank on `(n − 1)·p`, as if the values were sorted; exact below
    /// 256 µs, within 0.4 % above (the bucket's middle, clamped to the exact min and max).
    pub fn quantile_us(&self, p: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank =
            (((self.total - 1) as f64 * p.clamp(0.0, 1.0)).round() as u64).min(self.total - 1);
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen > rank {
                let (low, width) = bucket_range(i);
                let mid = if width == 1 {
                    low as f64
                } else {
                    low as f64 + (width - 1) as f64 / 2.0
                };
                return Some(mid.clamp(self.min_us as f64, self.max_us as f64));
            }
        }
        Some(self.max_us as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_invert_and_cover_every_value_once() {
        let mut last_end = 0u64;
        for i in 0..3000 {
            let (low, width) = bucket_range(i);
            assert_eq!(
                low,
                last_end,
                "bucket {i} starts where {} ended",
                i.max(1) - 1
            );
            assert_eq!(bucket_of(low), i);
            assert_eq!(bucket_of(low + width - 1), i);
            last_end = low + width;
        }
        assert!(bucket_of(u64::MAX) < 8000, "the layout stays small");
    }

    #[test]
    fn percentiles_match_sorted_values_within_the_stated_precision() {
        // A skewed spread from 1 µs to ~300 s, in a fixed pseudo-random order.
        let mut values: Vec<u64> = (0..20_000u64)
            .map(|i| {
                let x = (i.wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1_000_003.0;
                (x.powi(6) * 3.0e8) as u64 + 1
            })
            .collect();
        let mut h = LatencyHistogram::default();
        for v in &values {
            h.record(*v);
        }
        values.sort_unstable();
        for p in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let exact = values[((values.len() - 1) as f64 * p).round() as usize] as f64;
            let got = h.quantile_us(p).unwrap();
            let err = (got - exact).abs() / exact.max(1.0);
            assert!(
                err <= 1.0 / 256.0 || (exact < EXACT_BELOW_US as f64 && got == exact),
                "p{p}: {got} vs {exact}"
            );
        }
        assert_eq!(h.max_us(), values.last().copied());
        assert_eq!(h.quantile_us(1.0), Some(*values.last().unwrap() as f64));
        assert_eq!(h.count(), 20_000);
    }

    #[test]
    fn empty_has_no_percentiles_and_small_values_are_exact() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.quantile_us(0.5), None);
        assert_eq!(h.max_us(), None);
        for v in [5, 7, 7, 200] {
            h.record(v);
        }
        assert_eq!(h.quantile_us(0.5), Some(7.0));
        assert_eq!(h.quantile_us(0.0), Some(5.0));
        assert_eq!(h.quantile_us(1.0), Some(200.0));
    }
}
