//! Chapter 10, "Few labels": the cells of `notebooks/ch10-few-labels.ipynb`, in notebook
//! order, each followed by the checks of what the chapter says about its result. The regions
//! between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the notebook
//! exactly as written here.

use ae_mlp::prelude::*;

/// One test for the whole chapter, its cells in order: seed 42's curve, which the first cell
/// checks against, is then trained once rather than twice at the same time.
#[test]
fn chapter_10_few_labels() {
    // ANCHOR: by_hand
    use ae_mlp::experiments::label_curve::{LabelCurveConfig, LabelCurveSeeds};
    use ae_mlp::experiments::pipeline::FewLabelled;
    use ae_mlp::experiments::spreading::Graph;
    use ae_mlp::experiments::tuned::Tuned;
    use ae_mlp::models::mlp::argmax_rows;
    // Seed 42's 100 labels, step by step: the codes, their graph, the spread labels, and the
    // pixels MLP trained on them.
    let config: LabelCurveConfig = LabelCurveConfig::default().seed(42);
    let tuned: Tuned = Tuned::run_cached(&config.tuned, &default_cache_dir(), &mut print_progress)
        .expect("chapter 9's seed 42 (cached)");
    let codes: Array2<f32> = tuned.autoencoder.encode(&tuned.data.train.x).unwrap();
    let scaler: Standardizer = Standardizer::fit(codes.view()).unwrap();
    let codes: Array2<f32> = scaler.transform(codes.view()).unwrap();
    let graph: Graph = Graph::knn(codes.view(), config.spreading.k).unwrap();
    let labelled: FewLabelled = FewLabelled::draw(&tuned.data.train, 10, 42).unwrap();
    let scores: Array2<f32> =
        graph.spread(&labelled.rows, labelled.data.y.view(), 10, &config.spreading).unwrap();
    let mut spread: Array1<u8> = argmax_rows(scores.view());
    for (&row, &label) in labelled.rows.iter().zip(&labelled.data.y) {
        spread[row] = label; // the 100 labelled images keep their own
    }
    let right: f32 = accuracy(&spread, &tuned.data.train.y).unwrap();
    println!("spread labels right on the training images: {:.2} %", 100.0 * right);
    let student: MlpParams = config.self_training_mlp();
    let mlp: Mlp = student
        .fit(tuned.data.train.x.view(), spread.view(), None, &mut print_epochs("self-training"))
        .unwrap()
        .0;
    let test: f32 =
        accuracy(&mlp.predict(&tuned.data.test.x).unwrap(), &tuned.data.test.y).unwrap();
    println!("pixels MLP trained on them: test accuracy {:.2} %", 100.0 * test);
    // ANCHOR_END: by_hand
    // The same steps as the library's label curve, to the bit.
    let curve = LabelCurveSeeds::run(&config, &[42], &default_cache_dir(), &mut print_progress)
        .expect("the label curve (cached)");
    let budget = &curve.runs[0].budgets[0];
    assert_eq!(budget.per_class, 10);
    assert_eq!(test, budget.self_trained.test, "the cell repeats the library's self-training");
    let unlabelled = (tuned.data.train.len() - 100) as f32;
    let right_unlabelled = (right * tuned.data.train.len() as f32 - 100.0) / unlabelled;
    assert!((right_unlabelled - budget.spread_right_codes).abs() < 1e-4);
    // Self-training lifts the test accuracy above the spread labels' own accuracy.
    assert!(test > right, "{test} vs {right}");

    // ANCHOR: curve
    use ae_mlp::experiments::label_curve::Method;
    // Five seeds; each reuses the tuned autoencoder of chapter 9's run of the same seed
    // (trained on all 55,000 training images, without a label), draws 10, 100 and 1,000
    // labelled images per class, and trains four classifiers per budget (cached afterwards).
    let seeds: [u64; 5] = [42, 43, 44, 45, 46];
    let config: LabelCurveConfig = LabelCurveConfig::default();
    let curve: LabelCurveSeeds =
        LabelCurveSeeds::run(&config, &seeds, &default_cache_dir(), &mut print_progress)
            .expect("the label curve trains");
    println!("{}", curve.table().expect("a table"));
    for labels in curve.points() {
        let best: Method = curve.best(labels).expect("a best method");
        println!("{labels:>6} labels: best on validation: {}", best.name());
    }
    // ANCHOR_END: curve
    assert_eq!(curve.points(), vec![100, 1_000, 10_000, 55_000]);
    let best = |labels| curve.summary(labels, curve.best(labels).unwrap()).unwrap();
    let (b100, b1000) = (best(100), best(1_000));
    println!("best at 100 labels {b100:?}, at 1,000 {b1000:?}");
    // The targets of the chapter: 90 % with 100 labels, 96 % with 1,000.
    assert!(b100.mean >= 0.90, "{b100:?}");
    assert!(b1000.mean >= 0.96, "{b1000:?}");
    // With a few labels the best method is self-training; with 10,000 or all of them, the
    // pixels MLP alone (the validation split chose, not the test set).
    assert_eq!(curve.best(100).unwrap(), Method::SelfTrained);
    assert_eq!(curve.best(1_000).unwrap(), Method::SelfTrained);
    assert_eq!(curve.best(10_000).unwrap(), Method::Pixels);
    assert_eq!(curve.best(55_000).unwrap(), Method::Pixels);
    // More labels never hurt the pixels MLP alone.
    let pixels: Vec<f64> =
        curve.points().iter().map(|&l| curve.summary(l, Method::Pixels).unwrap().mean).collect();
    assert!(pixels.windows(2).all(|w| w[0] < w[1]), "{pixels:?}");

    // ANCHOR: verdicts
    // The autoencoder's route against the pixels MLP, paired by seed: the best method that
    // uses the codes (chosen on validation) at each number of labels.
    let route_methods: [Method; 4] =
        [Method::Codes, Method::SpreadCodes, Method::SelfTrained, Method::FineTuned];
    for labels in curve.points() {
        let route: Method = curve.best_of(labels, &route_methods).expect("a route");
        let d: PairedDifference = curve.difference(labels, route, Method::Pixels).unwrap();
        println!("{labels:>6} labels: {} − pixels MLP: {}", route.name(), d.points());
        println!("              {}", d.verdict("the autoencoder's route", "pixels → MLP"));
    }
    // ANCHOR_END: verdicts
    let route = |labels| {
        let m = curve.best_of(labels, &route_methods).unwrap();
        curve.difference(labels, m, Method::Pixels).unwrap().comparison()
    };
    assert_eq!(route(100), Comparison::AHigher);
    assert_eq!(route(1_000), Comparison::AHigher);
    assert_eq!(route(10_000), Comparison::BHigher);
    assert_eq!(route(55_000), Comparison::BHigher);

    // ANCHOR: graphs
    // How much of that is the graph? Spreading alone, over the codes and over the pixels:
    // the fraction of the unlabelled training images each labels right.
    for labels in [100, 1_000, 10_000] {
        let (codes, pixels, d): (Summary, Summary, PairedDifference) =
            curve.spread_right(labels).unwrap();
        println!(
            "{labels:>6} labels: codes' graph {}, pixels' graph {}; {}",
            codes.percent(),
            pixels.percent(),
            d.verdict("the codes' graph", "the pixels'")
        );
    }
    // ANCHOR_END: graphs
    for labels in [100, 1_000, 10_000] {
        let (_, _, d) = curve.spread_right(labels).unwrap();
        assert_eq!(d.comparison(), Comparison::AHigher, "{labels}: {d:?}");
        // Self-training corrects some of spreading's mistakes: it beats the codes MLP trained
        // on the same spread labels.
        let st = curve.difference(labels, Method::SelfTrained, Method::SpreadCodes).unwrap();
        assert_eq!(st.comparison(), Comparison::AHigher, "{labels}: {st:?}");
    }
}
