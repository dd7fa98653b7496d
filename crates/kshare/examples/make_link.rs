//! Prints the share-link payload for a scenario file: `make_link SCENARIO.json [UI.json [EXPECTED_OUT.json]]`.
//! Used to add fixtures to `tests/fixtures/links/` when a link format version is released.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: make_link SCENARIO.json [UI.json [EXPECTED_OUT.json]]");
        return ExitCode::from(2);
    };
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let result = read(path).and_then(|text| {
        let scenario = ksim::Scenario::from_json(&text).map_err(|e| e.to_string())?;
        let ui = match args.get(1) {
            Some(u) => serde_json::from_str(&read(u)?).map_err(|e| e.to_string())?,
            None => kshare::UiState::default(),
        };
        let link = kshare::encode_link(&scenario, &ui);
        // The fixture's expected decoding, for tests/fixtures/links/NAME.json.
        let expected = serde_json::json!({"scenario": scenario, "ui_state": ui});
        if let Some(out) = args.get(2) {
            std::fs::write(out, format!("{expected:#}\n")).map_err(|e| format!("{out}: {e}"))?;
        }
        Ok(link)
    });
    match result {
        Ok(link) => {
            println!("{link}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
