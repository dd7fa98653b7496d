//! Prints every lesson's check message on the untouched preset and after its "try this" step.
fn main() {
    for l in kshare::lessons::all() {
        let Ok(mut sim) = ksim::Simulation::new(l.scenario()) else {
            continue;
        };
        let mut tried = sim.clone();
        sim.run_until_idle(2_000_000);
        println!("{} (preset): {}", l.id, l.check(&sim).message);
        if l.try_this().apply_to(&mut tried).is_ok() {
            tried.run_until_idle(2_000_000);
            println!("{} (try this): {}", l.id, l.check(&tried).message);
        }
    }
}
