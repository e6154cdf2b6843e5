//! The bench's results: one row per scenario with its figure, its target,
//! whether the target is met (and by how much it is missed), and the limit
//! it was measured beside. Printed as a Markdown table and kept as JSON and
//! Markdown in `bench/results/<date>-<backend>.{json,md}`.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub scenario: String,
    pub figure: String,
    pub target: String,
    pub verdict: String,
    /// The limit measured in the same run, and the ratio to it.
    pub beside: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Results {
    pub backend: String,
    pub at: String,
    pub machine: String,
    pub rows: Vec<Row>,
    /// Figures without a row of their own (set-up times, raw oha runs).
    pub notes: Vec<String>,
}

/// "met", or by how much a figure misses its target (a ceiling when
/// `at_most`, a floor otherwise).
pub fn verdict(value: f64, target: f64, unit: &str, at_most: bool) -> String {
    let ok = if at_most {
        value <= target
    } else {
        value >= target
    };
    if ok {
        "met".into()
    } else {
        let by = (value - target).abs();
        let pct = if target > 0.0 {
            by / target * 100.0
        } else {
            0.0
        };
        format!("MISSED by {by:.1} {unit} ({pct:.0} %)")
    }
}

impl Results {
    pub fn new(backend: &str) -> Self {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let mem = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1_048_576.0);
        Results {
            backend: backend.into(),
            at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            machine: format!("{cores} cores, {mem:.0} GB RAM"),
            ..Default::default()
        }
    }

    pub fn add(
        &mut self,
        scenario: &str,
        figure: String,
        target: &str,
        verdict: String,
        beside: String,
    ) {
        println!(
            "{scenario}: {figure}; target {target}: {verdict}{}",
            if beside.is_empty() {
                String::new()
            } else {
                format!("; beside {beside}")
            }
        );
        self.rows.push(Row {
            scenario: scenario.into(),
            figure,
            target: target.into(),
            verdict,
            beside,
        });
        self.keep();
    }

    pub fn note(&mut self, text: String) {
        println!("{text}");
        self.notes.push(text);
        self.keep();
    }

    /// Writes the files as they stand (a run stopped half-way keeps what
    /// it measured; the end of the run writes them whole).
    fn keep(&self) {
        if let Err(e) = self.files() {
            eprintln!("bench: the results could not be written: {e}");
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Run {} on {} ({}).\n\n| scenario | figure | target | verdict | measured beside |\n| --- | --- | --- | --- | --- |\n",
            self.at, self.backend, self.machine
        );
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                r.scenario, r.figure, r.target, r.verdict, r.beside
            ));
        }
        out
    }

    /// Writes `bench/results/<date>-<backend>.json` and `.md`; prints the table.
    pub fn write(&self) -> anyhow::Result<()> {
        self.files()?;
        println!("\n{}", self.markdown());
        Ok(())
    }

    fn files(&self) -> anyhow::Result<()> {
        let dir = std::path::Path::new("bench/results");
        std::fs::create_dir_all(dir)?;
        let stem = format!("{}-{}", &self.at[..10], self.backend);
        std::fs::write(
            dir.join(format!("{stem}.json")),
            serde_json::to_string_pretty(self)?,
        )?;
        std::fs::write(dir.join(format!("{stem}.md")), self.markdown())?;
        Ok(())
    }
}
