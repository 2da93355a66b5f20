//! Chapter 6b, "Beyond MNIST: Fashion-MNIST": the cells of `notebooks/ch06b-fashion.ipynb`, in
//! order, each followed by checks of what the chapter says. Fashion-MNIST ships with the crate
//! in `data/fashion-mnist/`, verified by SHA-256 like the bundled MNIST.
//! Both studies are trained once and cached (keyed by config and library source).

use ae_mlp::prelude::*;

#[test]
fn chapter_6b_beyond_mnist_fashion() {
    // ANCHOR: load_fashion
    let fashion: Mnist = Mnist::load_bundled_fashion().expect("the bundled Fashion-MNIST loads");
    let classes: Vec<String> =
        ae_mlp::experiments::fashion::FASHION_CLASSES.iter().map(|c| c.to_string()).collect();
    println!(
        "{} training and {} test images from {}",
        fashion.train.len(),
        fashion.test.len(),
        fashion.dir.display()
    );
    println!("SHA-256 verified: {}", fashion.checksums_verified);
    let train_counts: Vec<usize> = fashion.train.class_counts();
    for (label, class) in classes.iter().enumerate() {
        println!("{label} {class:<12} {:>5} training images", train_counts[label]);
    }
    // ANCHOR_END: load_fashion
    assert_eq!((fashion.train.x.dim(), fashion.test.x.dim()), ((60_000, 784), (10_000, 784)));
    assert!(fashion.checksums_verified, "the bundled files match their recorded SHA-256");
    assert_eq!(train_counts, vec![6_000; 10], "six thousand training images per class");
    assert_eq!(fashion.test.class_counts(), vec![1_000; 10], "a thousand test images per class");

    // ANCHOR: run_study
    let config: StudyConfig =
        StudyConfig { data_dir: Some(fashion.dir.clone()), ..StudyConfig::default() };
    let study: Study = Study::run_cached(&config, &default_cache_dir(), &mut print_progress)
        .expect("the study runs");
    println!("{}", study.results_table());
    // ANCHOR_END: run_study
    let r = &study.results;
    assert_eq!((r.n_train, r.n_validation, r.n_test), (55_000, 5_000, 10_000));
    assert!(r.checksums_verified, "the bundled directory is verified when named by path too");

    // ANCHOR: compare_mnist
    let mnist: Study =
        Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut print_progress)
            .expect("the study runs");
    for (name, s) in [("MNIST", &mnist), ("Fashion-MNIST", &study)] {
        let (codes, raw) =
            (&s.results.codes_mlp, s.results.raw_mlp.as_ref().expect("trained by default"));
        println!(
            "{name:<13}  AE test MSE {:.5}  codes → MLP {}  pixels → MLP {}  gap {:.2} points",
            s.results.autoencoder.test_mse,
            ae_mlp::output::report::percent(codes.test_accuracy),
            ae_mlp::output::report::percent(raw.test_accuracy),
            100.0 * (raw.test_accuracy - codes.test_accuracy)
        );
    }
    // ANCHOR_END: compare_mnist
    let (m, f) = (&mnist.results, &study.results);
    let (m_raw, f_raw) = (m.raw_mlp.as_ref().expect("raw"), f.raw_mlp.as_ref().expect("raw"));
    let (m_gap, f_gap) = (
        m_raw.test_accuracy - m.codes_mlp.test_accuracy,
        f_raw.test_accuracy - f.codes_mlp.test_accuracy,
    );
    // The chapter's claims, as measured: Fashion-MNIST is clearly harder for both
    // classifiers, at least 5 points lower.
    assert!(
        f.codes_mlp.test_accuracy < m.codes_mlp.test_accuracy - 0.05,
        "codes: {f:?} vs {m:?}",
        f = f.codes_mlp.test_accuracy,
        m = m.codes_mlp.test_accuracy
    );
    assert!(
        f_raw.test_accuracy < m_raw.test_accuracy - 0.05,
        "pixels: {} vs {}",
        f_raw.test_accuracy,
        m_raw.test_accuracy
    );
    assert!(
        f.codes_mlp.test_accuracy >= 0.84 && f_raw.test_accuracy >= 0.87,
        "still far above chance (10 %)"
    );
    // Raw pixels still win, and by much more than on MNIST (over 3 points against a few tenths).
    assert!(
        f_gap > 0.02 && f_gap > 5.0 * m_gap,
        "gap to raw pixels: Fashion {f_gap}, MNIST {m_gap}"
    );
    // The autoencoder rebuilds clothes less well than digits (per-pixel MSE).
    assert!(
        f.autoencoder.test_mse > m.autoencoder.test_mse,
        "{} vs {}",
        f.autoencoder.test_mse,
        m.autoencoder.test_mse
    );

    // ANCHOR: reconstructions
    let figures: Vec<Figure> =
        ae_mlp::experiments::fashion::fashion_figures(&study).expect("the figures draw");
    figures[0].show(); // 10 test images above their reconstructions
                       // ANCHOR_END: reconstructions

    // ANCHOR: confusion
    figures[1].show(); // confusion matrix of the codes → MLP, with class names
    let confusion: ConfusionMatrix = study.results.codes_mlp.confusion.clone();
    let raw_recall: Vec<f32> =
        study.results.raw_mlp.as_ref().expect("trained by default").confusion.recall();
    for ((class, codes), raw) in classes.iter().zip(confusion.recall()).zip(&raw_recall) {
        println!(
            "{class:<12} recall: codes → MLP {:>8}  pixels → MLP {:>8}",
            ae_mlp::output::report::percent(codes),
            ae_mlp::output::report::percent(*raw)
        );
    }
    for (t, p, n) in confusion.top_confusions(3) {
        println!("{} read as {}: {n} times", classes[t], classes[p]);
    }
    // ANCHOR_END: confusion
    assert_eq!(confusion.counts.sum(), 10_000);
    let recall = confusion.recall();
    let mut by_recall: Vec<usize> = (0..10).collect();
    by_recall.sort_by(|&a, &b| recall[a].total_cmp(&recall[b]));
    assert_eq!(by_recall[0], 6, "Shirt is the class recognised least: {recall:?}");
    assert!(recall[6] < 0.7, "and below 70 %, where every MNIST digit is above 93 %: {recall:?}");
    let mut lowest_three = by_recall[..3].to_vec();
    lowest_three.sort();
    assert_eq!(
        lowest_three,
        vec![2, 4, 6],
        "Pullover, Coat and Shirt are the three weakest classes: {recall:?}"
    );
    // Codes lose most against raw pixels on Shirt.
    let loss: Vec<f32> = raw_recall.iter().zip(&recall).map(|(raw, codes)| raw - codes).collect();
    let most_lost = (0..10).max_by(|&a, &b| loss[a].total_cmp(&loss[b]));
    assert_eq!(most_lost, Some(6), "codes fall furthest behind raw pixels on Shirt: {loss:?}");
    let raw_weakest = (0..10).min_by(|&a, &b| raw_recall[a].total_cmp(&raw_recall[b]));
    assert_eq!(
        raw_weakest,
        Some(6),
        "Shirt is the weakest class for the raw-pixel MLP too: {raw_recall:?}"
    );
    for distinct in [1, 5, 7, 8, 9] {
        assert!(
            recall[distinct] > 0.9,
            "{} is recognised more than 9 times in 10: {recall:?}",
            classes[distinct]
        );
    }
    let footwear = [5, 7, 9];
    for shoe in footwear {
        let row = confusion.counts.row(shoe);
        let errors: usize = row.sum() - row[shoe];
        let as_other_shoe: usize = footwear.iter().filter(|&&p| p != shoe).map(|&p| row[p]).sum();
        assert!(
            2 * as_other_shoe > errors,
            "{}: {as_other_shoe} of {errors} mistakes are other footwear",
            classes[shoe]
        );
    }
    let top = confusion.top_confusions(5);
    assert!(top[0].0 == 6 || top[0].1 == 6, "the most frequent mistake involves Shirt: {top:?}");
    let upper_body = [0, 2, 4, 6];
    assert!(
        top.iter().all(|(t, p, _)| upper_body.contains(t) && upper_body.contains(p)),
        "the five most frequent mistakes are all between T-shirt/top, Pullover, Coat and Shirt: {top:?}"
    );
}
