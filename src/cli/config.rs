//! The one mapping from the command line to an experiment's config: every flag reaches every
//! model it names, the same way for the study and the family.

use ae_mlp::experiments::family::FamilyConfig;
use ae_mlp::experiments::kind::KindName;
use ae_mlp::experiments::study::StudyConfig;
use ae_mlp::models::autoencoder::AutoencoderParams;
use ae_mlp::models::mlp::MlpParams;
use ae_mlp::train::TrainParams;
use serde::Serialize;

use super::{KindArg, StudyArgs};

/// The experiment a command line asks for, fully resolved (what `--print-config` prints).
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunConfig {
    /// One autoencoder, its codes classified, and the raw-pixel baseline.
    Study(StudyConfig),
    /// Every kind of autoencoder compared (`--kind all`).
    Family(FamilyConfig),
}

/// Which models a training flag is applied to.
#[derive(Clone, Copy)]
enum Role {
    /// The autoencoders: `--ae-epochs` or `--epochs`.
    Autoencoder,
    /// The MLPs trained on every label: `--mlp-epochs` or `--epochs`.
    Mlp,
    /// The family's MLPs trained on a few labels: they keep their own (longer) epochs.
    FewLabels,
}

impl StudyArgs {
    /// The config these arguments ask for. Unset flags keep the library's defaults.
    pub fn config(&self) -> RunConfig {
        match self.kind_name() {
            Some(kind) => {
                let defaults = StudyConfig::default();
                RunConfig::Study(StudyConfig {
                    data_dir: self.data.clone(),
                    validation: self.validation.unwrap_or(defaults.validation),
                    autoencoder: self
                        .autoencoder(AutoencoderParams::of_kind(kind.with_book_settings())),
                    codes_mlp: self.mlp(defaults.codes_mlp),
                    raw_mlp: self.mlp(defaults.raw_mlp),
                    run_raw_mlp: !self.skip_raw,
                    ..defaults
                })
            }
            None => {
                let defaults = FamilyConfig::default();
                let mut variants = defaults.variants.clone();
                for v in &mut variants {
                    v.params = self.autoencoder(v.params.clone());
                }
                RunConfig::Family(FamilyConfig {
                    data_dir: self.data.clone(),
                    validation: self.validation.unwrap_or(defaults.validation),
                    variants,
                    codes_mlp: self.mlp(defaults.codes_mlp.clone()),
                    raw_mlp: self.mlp(defaults.raw_mlp.clone()),
                    labelled_seed: self.seed.unwrap_or(defaults.labelled_seed),
                    scarce_train: self.schedule(Role::FewLabels, defaults.scarce_train.clone()),
                    spread_raw_pixels: !self.skip_raw,
                    ..defaults
                })
            }
        }
    }

    /// The kind `--kind` names, or `None` for `all`.
    fn kind_name(&self) -> Option<KindName> {
        match self.kind {
            KindArg::Vanilla => Some(KindName::Vanilla),
            KindArg::Denoising => Some(KindName::Denoising),
            KindArg::Sparse => Some(KindName::Sparse),
            KindArg::Variational => Some(KindName::Variational),
            KindArg::All => None,
        }
    }

    fn autoencoder(&self, params: AutoencoderParams) -> AutoencoderParams {
        let latent = self.latent.unwrap_or(params.latent);
        let train = self.schedule(Role::Autoencoder, params.train.clone());
        params.latent(latent).train(train)
    }

    fn mlp(&self, params: MlpParams) -> MlpParams {
        let train = self.schedule(Role::Mlp, params.train.clone());
        params.train(train)
    }

    /// `train` with every training flag that applies to `role`.
    fn schedule(&self, role: Role, mut train: TrainParams) -> TrainParams {
        let epochs = match role {
            Role::Autoencoder => self.ae_epochs.or(self.epochs),
            Role::Mlp => self.mlp_epochs.or(self.epochs),
            Role::FewLabels => None,
        };
        if let Some(epochs) = epochs {
            train = train.epochs(epochs);
        }
        if let Some(batch_size) = self.batch_size {
            train = train.batch_size(batch_size);
        }
        if let Some(lr) = self.learning_rate {
            train = train.learning_rate(lr);
        }
        if let Some(seed) = self.seed {
            train = train.seed(seed);
        }
        train
    }
}
