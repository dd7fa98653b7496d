//! Frame budget for playback: while the simulation plays, the page shows the newest snapshot
//! panel by panel, as many panels per animation frame as the last frames had room for, so no
//! frame grows past the display's frame time (issue 5: p95 ≤ 16 ms at 10,000 events/s).
//!
//! A snapshot (view, partition logs, metrics, event-log window) is taken once per round; the
//! round's panels ("slots") are then published in a fixed order, each slot's DOM update landing
//! in its own frame when frames are tight. At slow speeds little changes per frame and every slot
//! is published every frame; at 10,000 events/s each panel refreshes a few times per second,
//! which is still faster than anyone reads. The panels of one round show the same snapshot (an
//! action while playing takes a new one, and the round goes on from where it was); paused, after
//! a step or a seek, all slots are published at once.
//!
//! The controller is additive-increase / multiplicative-decrease on "slots per frame", driven by
//! two measurements of the previous frame: the main-thread time it took (script, style, layout,
//! paint; see `clock::Frame`) and the real time between frames. A frame that kept the main
//! thread busy for more than 90 % of a display frame lowers the rate by 30 %, one that was
//! displayed late (1.5 display frames or more) halves it, any other raises it a little. Input
//! is not starved: Chromium runs input before the next frame, and an action clicked while
//! playing does not render the page at once but starts a new round (`App::refresh`); measured
//! in BENCHMARKS "Browser frame time" (clicks reach their paint within 2–3 frames). 60 % was
//! tried first: no more on-time frames, but panels refreshed half as often. The simulation
//! has its own share of each frame (`sim_budget_ms`, below) and, while it is behind the chosen
//! speed, the main thread's idle time after each frame's rendering until shortly before the next
//! frame (`AFTER_PAINT_MARGIN_MS`): at the fastest speed that idle time was 16 % of the main
//! thread (BENCHMARKS.md, "Long runs").

/// Fewest slots per frame: one slot every 4 frames on a page that cannot keep up at all.
const MIN_SLOTS_PER_FRAME: f64 = 0.25;
/// Raise per on-time frame: slow enough that, at the rate where frames start to run late, at
/// most about one frame in 20 is late (the p95 target).
const INCREASE_PER_FRAME: f64 = 0.05;
/// A frame is late when it took this many display frames or more.
const LATE_FRAMES: f64 = 1.5;
/// Share of a display frame the page's own work may take.
const WORK_SHARE: f64 = 0.9;
/// Rate kept after a frame that worked longer than its share.
const BUSY_DECREASE: f64 = 0.7;
/// Starting estimate of the display's frame time (60 Hz).
const DEFAULT_FRAME_MS: f64 = 1000.0 / 60.0;

/// The round in progress and the slots-per-frame rate.
#[derive(Debug, Clone)]
pub struct FrameBudget {
    slots_per_frame: f64,
    max_slots_per_frame: f64,
    /// Slots this frame may still publish (fractional rates accumulate across frames).
    tokens: f64,
    /// Estimated display frame time: the shortest recent frame, creeping up slowly.
    frame_ms: f64,
    /// Slots of the current round not yet published.
    remaining: usize,
    /// The next slot to publish. A new snapshot taken in the middle of a round (an action while
    /// playing) goes on from here, so clicking faster than a round takes never starves the
    /// slots at the end of the order.
    cursor: usize,
}

impl FrameBudget {
    /// A budget for rounds of `slots` slots, starting by publishing all of them every frame.
    pub fn new(slots: usize) -> FrameBudget {
        let max = slots.max(1) as f64;
        FrameBudget {
            slots_per_frame: max,
            max_slots_per_frame: max,
            tokens: 0.0,
            frame_ms: DEFAULT_FRAME_MS,
            remaining: 0,
            cursor: 0,
        }
    }

    /// Adjusts the rate from the real time since the previous frame and the main-thread time
    /// the previous frame took (when known), and returns how many slots this frame may publish.
    pub fn frame(&mut self, elapsed_ms: f64, previous_work_ms: Option<f64>) -> usize {
        if elapsed_ms > 0.0 {
            self.frame_ms = (self.frame_ms + 0.01).min(elapsed_ms.max(4.0));
            if elapsed_ms >= LATE_FRAMES * self.frame_ms {
                self.slots_per_frame = (self.slots_per_frame / 2.0).max(MIN_SLOTS_PER_FRAME);
                // A late frame also spends what was left over: the next frame starts fresh.
                self.tokens = 0.0;
            } else if previous_work_ms.is_some_and(|w| w > WORK_SHARE * self.frame_ms) {
                self.slots_per_frame =
                    (self.slots_per_frame * BUSY_DECREASE).max(MIN_SLOTS_PER_FRAME);
                self.tokens = self.tokens.min(self.slots_per_frame);
            } else {
                self.slots_per_frame =
                    (self.slots_per_frame + INCREASE_PER_FRAME).min(self.max_slots_per_frame);
            }
        }
        self.tokens = (self.tokens + self.slots_per_frame).min(self.slots_per_frame.max(1.0));
        let n = self.tokens.floor();
        self.tokens -= n;
        n as usize
    }

    /// Whether a round is in progress (some slots of the last snapshot are not shown yet).
    pub fn round_open(&self) -> bool {
        self.remaining > 0
    }

    /// Starts a round of `slots` slots (a new snapshot was taken).
    pub fn start_round(&mut self, slots: usize) {
        self.remaining = slots;
        self.max_slots_per_frame = self.max_slots_per_frame.max(slots as f64);
    }

    /// Marks one slot published; returns its position in the order of `slots` slots.
    pub fn next_slot(&mut self, slots: usize) -> Option<usize> {
        if self.remaining == 0 || slots == 0 {
            return None;
        }
        let position = self.cursor % slots;
        self.cursor = position + 1;
        self.remaining -= 1;
        Some(position)
    }

    /// Ends the round (everything was published at once).
    pub fn finish_round(&mut self) {
        self.remaining = 0;
        self.cursor = 0;
    }

    /// The estimated display frame time.
    pub fn frame_ms(&self) -> f64 {
        self.frame_ms
    }

    /// The current rate.
    #[cfg(test)]
    pub fn slots_per_frame(&self) -> f64 {
        self.slots_per_frame
    }
}

/// Real time the simulation may take per animation frame while playing, at least. What does not
/// fit waits for the next frame, so at a speed the simulation cannot keep up with, virtual time
/// runs slower than chosen (and the page says so) instead of frames stalling.
pub const SIM_BUDGET_MS: f64 = 6.0;
/// The most the simulation may take per frame, when the rest of the frame leaves room.
pub const SIM_BUDGET_MAX_MS: f64 = 11.0;
/// The main-thread time a frame should stay within (a 60 Hz frame, less a margin for the
/// browser's own work).
const FRAME_WORK_TARGET_MS: f64 = 14.0;

/// This frame's share for the simulation: what the previous frame's other work (its main-thread
/// time less its simulation time) leaves of [`FRAME_WORK_TARGET_MS`], between [`SIM_BUDGET_MS`]
/// and [`SIM_BUDGET_MAX_MS`]. So the fastest speed uses the room a light frame leaves, and a
/// heavy frame gets the plain share.
pub fn sim_budget_ms(previous_work_ms: Option<f64>, previous_sim_ms: f64) -> f64 {
    let other_ms =
        previous_work_ms.map_or(FRAME_WORK_TARGET_MS, |w| (w - previous_sim_ms).max(0.0));
    (FRAME_WORK_TARGET_MS - other_ms).clamp(SIM_BUDGET_MS, SIM_BUDGET_MAX_MS)
}

/// After a frame's rendering, while the simulation is behind, it goes on until this long before
/// the next frame is due (`AfterPaint`), so the main thread is not idle while the learner waits.
pub const AFTER_PAINT_MARGIN_MS: f64 = 3.5;

/// Real time over which the achieved speed is measured.
const PACE_WINDOW_MS: f64 = 1000.0;
/// Below this share of the chosen speed the page says the simulation cannot keep up.
const BEHIND_SHARE: f64 = 0.8;

/// Whether the simulation keeps up with the chosen playback speed (see `SIM_BUDGET_MS`).
#[derive(Debug, Clone, Default)]
pub struct Pace {
    real_ms: f64,
    virtual_us: f64,
    wanted_us: f64,
    /// The achieved speed (virtual µs per real ms, the unit of `SPEEDS`) when it fell short.
    behind: Option<f64>,
}

impl Pace {
    /// One frame: `elapsed_ms` of real time, in which `wanted_us` of virtual time were asked
    /// for and `advanced_us` done.
    pub fn frame(&mut self, elapsed_ms: f64, wanted_us: u64, advanced_us: u64) {
        self.real_ms += elapsed_ms;
        self.wanted_us += wanted_us as f64;
        self.virtual_us += advanced_us as f64;
        if self.real_ms >= PACE_WINDOW_MS {
            self.behind = (self.virtual_us < BEHIND_SHARE * self.wanted_us)
                .then(|| self.virtual_us / self.real_ms);
            self.real_ms = 0.0;
            self.virtual_us = 0.0;
            self.wanted_us = 0.0;
        }
    }

    /// `advanced_us` more virtual time done after a frame's rendering (`AfterPaint`).
    pub fn advanced_after_paint(&mut self, advanced_us: u64) {
        self.virtual_us += advanced_us as f64;
    }

    /// The achieved speed when the simulation did not keep up over the last second.
    pub fn behind(&self) -> Option<f64> {
        self.behind
    }

    /// Starts over (paused, or another speed chosen).
    pub fn reset(&mut self) {
        *self = Pace::default();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_simulation_gets_the_room_the_rest_of_the_frame_leaves_within_bounds() {
        use super::{sim_budget_ms, SIM_BUDGET_MAX_MS, SIM_BUDGET_MS};
        // Unknown previous frame: the plain share.
        assert_eq!(sim_budget_ms(None, 0.0), SIM_BUDGET_MS);
        // A light frame (2 ms of other work): the most.
        assert_eq!(sim_budget_ms(Some(13.0), 11.0), SIM_BUDGET_MAX_MS);
        // 5 ms of other work leaves 9 ms.
        assert_eq!(sim_budget_ms(Some(15.0), 10.0), 9.0);
        // A heavy frame: never below the plain share.
        assert_eq!(sim_budget_ms(Some(30.0), 6.0), SIM_BUDGET_MS);
    }

    use super::*;

    const FRAME: f64 = 1000.0 / 60.0;

    #[test]
    fn on_time_frames_publish_every_slot() {
        let mut b = FrameBudget::new(12);
        for _ in 0..100 {
            assert_eq!(b.frame(FRAME, None), 12);
        }
    }

    #[test]
    fn late_frames_halve_the_rate_down_to_one_slot_every_four_frames() {
        let mut b = FrameBudget::new(12);
        assert_eq!(b.frame(3.0 * FRAME, None), 6);
        assert_eq!(b.frame(3.0 * FRAME, None), 3);
        for _ in 0..10 {
            b.frame(3.0 * FRAME, None);
        }
        assert_eq!(b.slots_per_frame(), MIN_SLOTS_PER_FRAME);
        // At a quarter slot per frame (plus the small increase of on-time frames), one of four
        // frames publishes.
        let published: usize = (0..4).map(|_| b.frame(FRAME, None)).sum();
        assert_eq!(published, 1);
    }

    #[test]
    fn the_rate_recovers_slowly_after_a_late_frame() {
        let mut b = FrameBudget::new(12);
        b.frame(2.0 * FRAME, None);
        assert_eq!(b.slots_per_frame(), 6.0);
        // 20 on-time frames raise it by one slot per frame.
        for _ in 0..20 {
            b.frame(FRAME, None);
        }
        assert!((b.slots_per_frame() - 7.0).abs() < 1e-9);
    }

    #[test]
    fn a_busy_frame_lowers_the_rate_before_any_frame_is_late() {
        let mut b = FrameBudget::new(10);
        // 16 ms of work in a 16.7 ms frame: on time, but more than the 90 % share.
        assert_eq!(b.frame(FRAME, Some(16.0)), 7);
        assert_eq!(b.frame(FRAME, Some(16.0)), 4);
        // 12 ms is within the share: the rate creeps back up.
        b.frame(FRAME, Some(12.0));
        assert!((b.slots_per_frame() - 4.95).abs() < 1e-9);
    }

    #[test]
    fn pace_says_when_the_simulation_falls_behind_and_by_how_much() {
        let mut p = Pace::default();
        // 100× asked (100,000 virtual µs per real ms), 30× done, for a second (61 frames).
        for _ in 0..61 {
            p.frame(FRAME, (FRAME * 100_000.0) as u64, (FRAME * 30_000.0) as u64);
        }
        let achieved = p.behind().expect("behind");
        assert!((achieved - 30_000.0).abs() < 100.0, "{achieved}");
        // Keeping up for the next second clears it.
        for _ in 0..61 {
            p.frame(FRAME, 1000, 1000);
        }
        assert_eq!(p.behind(), None);
    }

    #[test]
    fn a_new_snapshot_mid_round_goes_on_from_where_the_round_was() {
        let mut b = FrameBudget::new(4);
        b.start_round(4);
        assert_eq!(b.next_slot(4), Some(0));
        assert_eq!(b.next_slot(4), Some(1));
        // An action while playing: a new snapshot, a new round of 4, starting at slot 2.
        b.start_round(4);
        let order: Vec<_> = std::iter::from_fn(|| b.next_slot(4)).collect();
        assert_eq!(order, [2, 3, 0, 1]);
    }

    #[test]
    fn a_faster_display_sets_the_frame_time() {
        // 120 Hz: 8.3 ms frames are on time, 16.7 ms frames are late.
        let mut b = FrameBudget::new(12);
        for _ in 0..10 {
            b.frame(FRAME / 2.0, None);
        }
        assert_eq!(b.frame(FRAME, None), 6);
    }

    #[test]
    fn a_round_hands_out_each_slot_once_in_order() {
        let mut b = FrameBudget::new(3);
        assert!(!b.round_open());
        b.start_round(3);
        assert_eq!(b.next_slot(3), Some(0));
        assert!(b.round_open());
        assert_eq!(b.next_slot(3), Some(1));
        assert_eq!(b.next_slot(3), Some(2));
        assert_eq!(b.next_slot(3), None);
        assert!(!b.round_open());
    }
}
