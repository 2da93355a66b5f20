//! `ae-mlp`: runs the study (or, with `--kind all`, the autoencoder family compared) and
//! writes its results, figures and (with `--save`) its trained models; `evaluate` and
//! `reconstruct` use a saved model without training again.
//!
//! Every failure ends with a non-zero exit status and one line on stderr, `error: …`, that
//! names what to fix.

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ae_mlp::data::{Dataset, Mnist};
use ae_mlp::experiments::family::Family;
use ae_mlp::experiments::study::{seed_list, ClassifierResult, OverSeeds, Study};
use ae_mlp::output::model_io::{self, SavedModel};
use ae_mlp::output::plot;
use ae_mlp::Error;
use clap::Parser;
use cli::{Cli, Command, EvaluateArgs, Progress, ReconstructArgs, RunConfig, StudyArgs};
use ndarray::{s, Array2};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    let result = match &cli.command {
        None => run(&cli.study),
        Some(Command::Evaluate(args)) => evaluate(args),
        Some(Command::Reconstruct(args)) => reconstruct(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// Help and version go out as clap prints them; a usage error becomes one line (clap's
/// message and tip, without the usage block), exit status 2.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line);
        }
    }
    let message = parts.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("error: {message} (see --help)");
    ExitCode::from(2)
}

/// The error as one line. A bad hyperparameter is named by the command-line flag that sets
/// it (the library names it by its field, e.g. `batch_size`), so the line says what to change.
fn one_line(e: &Error) -> String {
    let message = match e {
        Error::InvalidParam { name, value, reason } => {
            let flag = match *name {
                "latent" => "--latent",
                "learning_rate" => "--learning-rate",
                "batch_size" => "--batch-size",
                "validation" => "--validation",
                "seeds" => "--seeds",
                "epochs" => {
                    return format!(
                        "invalid epochs {value} (--epochs, --ae-epochs or --mlp-epochs): {reason}"
                    )
                }
                _ => return e.to_string().replace(['\n', '\r'], " "),
            };
            format!("invalid {flag} {value}: {reason}")
        }
        _ => e.to_string(),
    };
    message.replace(['\n', '\r'], " ")
}

/// Fails early if `path` exists but is not a directory, so a long run cannot end in an
/// unwritable output.
fn check_output_dir(flag: &str, path: &Path) -> ae_mlp::Result<()> {
    if path.exists() && !path.is_dir() {
        return Err(Error::Input {
            path: path.to_path_buf(),
            problem: "exists and is not a directory".into(),
            fix: format!("pass {flag} a directory (it is created if missing)"),
        });
    }
    Ok(())
}

/// The experiment the arguments ask for: checked, printed with `--print-config`, else run.
fn run(args: &StudyArgs) -> ae_mlp::Result<()> {
    let config = args.config();
    match &config {
        RunConfig::Study(c) => c.check()?,
        RunConfig::Family(c) => c.check()?,
    }
    if args.print_config {
        let json = serde_json::to_string_pretty(&config)
            .map_err(|source| Error::Json { path: PathBuf::from("<stdout>"), source })?;
        println!("{json}");
        return Ok(());
    }
    check_output_dir("--out", &args.out)?;
    if let Some(save) = &args.save {
        check_output_dir("--save", save)?;
    }
    let mut progress = Progress::new(args.quiet);
    match &config {
        RunConfig::Study(c) => {
            let seeds = seed_list(c.autoencoder.train.seed, usize::from(args.seeds))?;
            let (mut study, over_seeds) =
                Study::over_seeds(c, &seeds, None, &mut |stage, event| progress.update(stage, event))?;
            progress.finish();
            if seeds.len() > 1 {
                study.results.over_seeds = Some(over_seeds);
            }
            report_study(&study, args)
        }
        RunConfig::Family(_) if args.seeds > 1 => Err(Error::param(
            "seeds",
            args.seeds,
            "--seeds runs the study; the family comparison (--kind all) runs one seed (choose it with --seed)",
        )),
        RunConfig::Family(c) => {
            let family = Family::run(c, &mut |stage, event| progress.update(stage, event))?;
            progress.finish();
            report_family(&family, args)
        }
    }
}

/// Prints the study's summary and writes its results, figures and (with `--save`) models.
fn report_study(study: &Study, args: &StudyArgs) -> ae_mlp::Result<()> {
    let r = &study.results;
    println!();
    println!("{:<28} {:>10} {:>12} {:>12}", "model", "features", "test", "s / epoch");
    println!(
        "{:<28} {:>10} {:>12} {:>12.3}",
        "autoencoder (MSE)",
        r.autoencoder.parameters,
        format!("{:.5}", r.autoencoder.test_mse),
        r.autoencoder.seconds_per_epoch
    );
    let row = |name: &str, c: &ClassifierResult| {
        println!(
            "{:<28} {:>10} {:>11.2}% {:>12.3}",
            name,
            c.features,
            100.0 * c.test_accuracy,
            c.seconds_per_epoch
        )
    };
    row("codes → MLP (accuracy)", &r.codes_mlp);
    if let Some(raw) = &r.raw_mlp {
        row("pixels → MLP (accuracy)", raw);
    }
    println!("whole study: {:.1} s", r.total_seconds);
    if let Some(over) = &r.over_seeds {
        print_over_seeds(over);
    }

    let written = if args.skip_figures {
        vec![study.write_results(&args.out)?]
    } else {
        study.write(&args.out)?
    };
    println!("wrote {} files to {}", written.len(), args.out.display());
    if let Some(dir) = &args.save {
        let path = model_io::save_study(study, dir)?;
        println!("saved the trained models to {}", path.display());
    }
    Ok(())
}

/// `--seeds N`: every seed's numbers, mean ± standard deviation, and the paired verdict.
fn print_over_seeds(over: &OverSeeds) {
    println!();
    println!("over {} seeds:", over.seeds.len());
    println!("{}", over.table());
}

/// `--kind all`: prints the family's table and writes it, family.json and the figures.
fn report_family(family: &Family, args: &StudyArgs) -> ae_mlp::Result<()> {
    println!("{}", family.results.table());
    let written = if args.skip_figures {
        family.write_results(&args.out)?
    } else {
        family.write(&args.out)?
    };
    println!(
        "whole comparison: {:.1} s; wrote {} files to {}",
        family.results.total_seconds,
        written.len(),
        args.out.display()
    );
    Ok(())
}

/// The test split of `data` if given, else of the data the model was trained on.
fn test_set(model: &SavedModel, data: Option<&Path>) -> ae_mlp::Result<(Dataset, PathBuf)> {
    let mnist = match data {
        Some(dir) => Mnist::load_dir(dir)?,
        None => model.config.load_data()?,
    };
    Ok((mnist.test, mnist.dir))
}

fn evaluate(args: &EvaluateArgs) -> ae_mlp::Result<()> {
    let model = SavedModel::load(&args.model)?;
    let (test, dir) = test_set(&model, args.data.as_deref())?;
    let e = model.evaluate(&test)?;
    println!(
        "model: {} (ae-mlp {}, code of {} numbers, seed {})",
        args.model.display(),
        model.crate_version,
        model.autoencoder.latent(),
        model.config.autoencoder.train.seed
    );
    println!("test set: {} images from {}", e.n, dir.display());
    println!("autoencoder reconstruction MSE: {:.5}", e.reconstruction_mse);
    println!("codes → MLP test accuracy: {:.2}%", 100.0 * e.codes_accuracy);
    if let Some(raw) = e.raw_accuracy {
        println!("pixels → MLP test accuracy: {:.2}%", 100.0 * raw);
    }
    Ok(())
}

fn reconstruct(args: &ReconstructArgs) -> ae_mlp::Result<()> {
    check_output_dir("--out", &args.out)?;
    let model = SavedModel::load(&args.model)?;
    let (images, source, what) = match &args.images {
        Some(file) => (model_io::read_idx_images(file)?, file.clone(), "images"),
        None => {
            let (test, dir) = test_set(&model, args.data.as_deref())?;
            (test.x, dir, "test images")
        }
    };
    let n = usize::from(args.count);
    if n > images.nrows() {
        return Err(Error::Input {
            path: source,
            problem: format!("has {} {what} but --count asks for {n}", images.nrows()),
            fix: format!("pass --count {} or less", images.nrows()),
        });
    }
    if images.ncols() != model.inputs() {
        return Err(Error::Input {
            path: source,
            problem: format!(
                "has {} pixels per image but the model takes {}",
                images.ncols(),
                model.inputs()
            ),
            fix: "reconstruct images of the kind the model was trained on".into(),
        });
    }
    let originals: Array2<f32> = images.slice(s![..n, ..]).to_owned();
    let reconstructions = model.autoencoder.reconstruct(&originals)?;
    let figure = plot::image_rows(
        "reconstructions",
        &format!(
            "{n} images (top) and their reconstructions from {} numbers",
            model.autoencoder.latent()
        ),
        &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
    );
    let written = figure.save(&args.out)?;
    let mse = model.autoencoder.reconstruction_mse(images.slice(s![..n, ..]))?;
    println!(
        "reconstructed the first {n} {what} of {}: reconstruction MSE {mse:.5}",
        source.display()
    );
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}
