//! `--set path.to.field=json` for the examples that score variations of a configuration: the
//! configuration goes to JSON, each change replaces one field, and the result is read back
//! (so a misspelt field or a wrong type is an error, not a silent default).

use clap::Args;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// The arguments every such example takes.
#[derive(Args)]
pub struct Variation {
    /// A change to the settings, `path.to.field=json` (repeatable).
    #[arg(long)]
    pub set: Vec<String>,
    /// Seed of every model (and of the labelled images, where some are drawn).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the settings as JSON and stop.
    #[arg(long)]
    pub show: bool,
}

impl Variation {
    /// `config` with every `--set` applied; with `--show`, prints the changed settings as
    /// JSON and returns `None`.
    pub fn apply<C: Serialize + DeserializeOwned>(
        &self,
        config: &C,
    ) -> Result<Option<C>, Box<dyn std::error::Error>> {
        with_changes(config, &self.set, self.show)
    }
}

/// `config` with every `path=value` of `changes` applied; with `show`, prints the changed
/// settings as JSON and returns `None`.
fn with_changes<C: Serialize + DeserializeOwned>(
    config: &C,
    changes: &[String],
    show: bool,
) -> Result<Option<C>, Box<dyn std::error::Error>> {
    let mut settings = serde_json::to_value(config)?;
    for change in changes {
        let (path, value) = change.split_once('=').ok_or("--set takes path=value")?;
        let mut at = &mut settings;
        for key in path.split('.') {
            at = at.get_mut(key).ok_or_else(|| format!("no field {key} in {path}"))?;
        }
        *at = serde_json::from_str(value).unwrap_or(Value::String(value.into()));
    }
    if show {
        println!("{}", serde_json::to_string_pretty(&settings)?);
        return Ok(None);
    }
    Ok(Some(serde_json::from_value(settings)?))
}
