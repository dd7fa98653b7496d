//! A C-ABI surface over ksim for Node.js: `ksim_alloc(len)` gives a buffer for a scenario's JSON,
//! `ksim_run(ptr, len, max_events)` runs it until idle and returns the log hash (0 on error, the
//! message is then at `ksim_error_ptr/len`), `ksim_bench(records)` runs the benchmark workload and
//! returns the number of delivered records. Timing happens in JavaScript.

use std::cell::RefCell;

thread_local! {
    static ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Allocates `len` bytes that the caller fills and passes to `ksim_run` (which frees them).
#[no_mangle]
pub extern "C" fn ksim_alloc(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Runs the scenario JSON at `ptr..ptr+len` until idle; returns its log hash or 0 on error.
///
/// # Safety
/// `ptr`/`len` must come from `ksim_alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn ksim_run(ptr: *mut u8, len: usize, max_events: u64) -> u64 {
    let bytes = Vec::from_raw_parts(ptr, len, len);
    let result = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| ksim::Simulation::from_json(text).map_err(|e| e.to_string()))
        .map(|mut sim| {
            sim.run_until_idle(max_events);
            sim.log_hash()
        });
    match result {
        Ok(h) => h,
        Err(e) => {
            ERROR.with(|x| *x.borrow_mut() = e.into_bytes());
            0
        }
    }
}

#[no_mangle]
pub extern "C" fn ksim_error_ptr() -> *const u8 {
    ERROR.with(|x| x.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn ksim_error_len() -> usize {
    ERROR.with(|x| x.borrow().len())
}

/// Runs `ksim::bench::bench_scenario(records)` until idle; returns the delivered records.
#[no_mangle]
pub extern "C" fn ksim_bench(records: u64) -> u64 {
    match ksim::Simulation::new(ksim::bench::bench_scenario(records)) {
        Ok(mut sim) => {
            sim.run_until_idle(u64::MAX);
            sim.metrics().records_delivered
        }
        Err(_) => 0,
    }
}
