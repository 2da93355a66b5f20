//! Chapter 3, "Multi-layer perceptrons": the cells of `notebooks/ch03-mlp.ipynb`, in notebook
//! order, each followed by the checks of what the chapter says about its result. The regions
//! between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the notebook
//! exactly as written here.
//!
//! Mechanics (a layer's shapes, activation values, the collapse of a linear stack) use small
//! hand-made arrays; the claim about MNIST trains on all 60,000 training images.

use ae_mlp::prelude::*;

/// Largest absolute difference between two arrays of the same shape.
fn max_abs_diff(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn chapter_3_multi_layer_perceptrons() {
    // ANCHOR: dense_layer
    // A layer with 3 inputs and 2 outputs, weights chosen by hand. W is (inputs, outputs).
    let w: Array2<f32> =
        Array2::from_shape_vec((3, 2), vec![1.0, 0.0, 0.0, 1.0, 1.0, -1.0]).expect("3 × 2 weights");
    let b: Array1<f32> = Array1::from(vec![0.5, -0.5]);
    let layer = ae_mlp::nn::Dense::from_parameters(w, b);
    // A batch of 4 examples, one per row: x is (batch, inputs).
    let x: Array2<f32> = Array2::from_shape_vec(
        (4, 3),
        vec![1.0, 2.0, 3.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.5, 0.5, 0.5],
    )
    .expect("4 × 3 batch");
    let mut y: Array2<f32> = Array2::zeros((4, 2));
    layer.forward_into(x.view(), y.view_mut());
    println!(
        "x {:?} · W {:?} + b {:?} = y {:?}",
        x.shape(),
        layer.w.shape(),
        layer.b.shape(),
        y.shape()
    );
    println!("{y}");
    // ANCHOR_END: dense_layer
    assert_eq!(y.dim(), (4, 2), "one row per example, one column per output");
    assert_eq!(y.row(0).to_vec(), vec![4.5, -1.5], "1·(1,0) + 2·(0,1) + 3·(1,−1) + (0.5,−0.5)");
    assert_eq!(y.row(1), layer.b, "a zero input gives the bias");
    assert!(max_abs_diff(&y, &(x.dot(&layer.w) + &layer.b)) < 1e-6, "y = x·W + b");

    // ANCHOR: collapse
    // Two dense layers, 4 → 8 → 3, with no non-linearity (Identity) between them.
    let mut linear = Stack::new(
        4,
        &[(8, Activation::Identity), (3, Activation::Identity)],
        ae_mlp::nn::Init::Xavier,
        &mut ae_mlp::rng::seeded(1, 0),
    );
    linear.layers[0].dense.b.fill(0.1);
    linear.layers[1].dense.b.fill(-0.2);
    // The single layer they are equal to: W = W1·W2 and b = b1·W2 + b2.
    let w_product: Array2<f32> = linear.layers[0].dense.w.dot(&linear.layers[1].dense.w);
    let b_product: Array1<f32> =
        linear.layers[0].dense.b.dot(&linear.layers[1].dense.w) + &linear.layers[1].dense.b;
    let inputs: Array2<f32> =
        Array2::from_shape_fn((5, 4), |(i, j)| (i as f32 - 2.0) * 0.7 + j as f32 * 0.3);
    let two_layers: Array2<f32> = linear.predict(inputs.view()).expect("4 inputs");
    let one_layer: Array2<f32> = inputs.dot(&w_product) + &b_product;
    let gap = (&two_layers - &one_layer).fold(0.0f32, |m, d| m.max(d.abs()));
    println!("two layers vs one {:?} matrix: largest difference {gap:.1e}", w_product.dim());
    // ANCHOR_END: collapse
    assert_eq!(w_product.dim(), (4, 3));
    assert!(gap < 1e-5, "a stack of linear layers is one linear layer, up to rounding: {gap}");
    assert!(
        two_layers.iter().map(|v| v.abs()).sum::<f32>() > 1.0,
        "a non-trivial output, not all zeros"
    );

    // ANCHOR: bend
    // Any affine map f(x) = x·W + b satisfies f(x) + f(−x) = 2·f(0): the largest violation.
    fn affine_defect(net: &Stack, x: &Array2<f32>) -> f32 {
        let f = |x: &Array2<f32>| net.predict(x.view()).expect("as many inputs as the stack");
        let defect = f(x) + f(&-x) - 2.0 * f(&Array2::zeros(x.raw_dim()));
        defect.fold(0.0, |m, d| m.max(d.abs()))
    }
    let mut bent = linear.clone();
    bent.layers[0].activation = Activation::Relu; // same weights, ReLU between the layers
    let (linear_defect, relu_defect) =
        (affine_defect(&linear, &inputs), affine_defect(&bent, &inputs));
    println!("f(x) + f(−x) − 2·f(0): identity {linear_defect:.1e}, ReLU {relu_defect:.2}");
    // ANCHOR_END: bend
    assert!(linear_defect < 1e-5, "the identity stack is affine: {linear_defect}");
    assert!(
        relu_defect > 0.1,
        "with ReLU no matrix and bias can reproduce the stack: {relu_defect}"
    );

    // ANCHOR: relu
    let z: Array2<f32> =
        Array2::from_shape_vec((1, 5), vec![-2.0, -0.5, 0.0, 0.5, 2.0]).expect("one row");
    let mut relu: Array2<f32> = z.clone();
    Activation::Relu.forward(relu.view_mut());
    // Backward: the gradient arriving from above (all ones here) passes only where z > 0.
    let mut relu_grad: Array2<f32> = Array2::ones(z.raw_dim());
    Activation::Relu.backward(relu.view(), relu_grad.view_mut());
    println!("z        {z}\nrelu(z)  {relu}\ngradient {relu_grad}");
    ae_mlp::output::plot::activation_curve(Activation::Relu).show();
    // ANCHOR_END: relu
    assert_eq!(relu.row(0).to_vec(), vec![0.0, 0.0, 0.0, 0.5, 2.0], "relu(−2) = 0, relu(2) = 2");
    assert_eq!(
        relu_grad.row(0).to_vec(),
        vec![0.0, 0.0, 0.0, 1.0, 1.0],
        "ReLU's gradient is 0 or 1"
    );

    // ANCHOR: sigmoid
    let mut sigmoid: Array2<f32> = z.clone();
    Activation::Sigmoid.forward(sigmoid.view_mut());
    let steepest = Activation::Sigmoid.derivative(0.0);
    let saturated = Activation::Sigmoid.derivative(6.0);
    println!("sigmoid(z) {sigmoid}");
    println!(
        "σ'(0) = {steepest}, σ'(6) = {saturated:.4}, five layers at best: 0.25^5 = {:.5}",
        steepest.powi(5)
    );
    ae_mlp::output::plot::activation_curve(Activation::Sigmoid).show();
    // ANCHOR_END: sigmoid
    assert_eq!(sigmoid[[0, 2]], 0.5, "σ(0) = 1/2");
    assert!((sigmoid[[0, 0]] + sigmoid[[0, 4]] - 1.0).abs() < 1e-6, "σ(−z) = 1 − σ(z)");
    assert!(sigmoid.iter().all(|&s| s > 0.0 && s < 1.0), "σ maps into (0, 1)");
    assert_eq!(steepest, 0.25, "the sigmoid's steepest slope is 1/4, at 0");
    assert!(saturated < 0.0025, "at z = 6 the gradient is almost gone: {saturated}");
    assert!(steepest.powi(5) < 1e-3, "five sigmoid slopes multiply to less than a thousandth");

    // ANCHOR: tanh
    let mut tanh: Array2<f32> = z.clone();
    Activation::Tanh.forward(tanh.view_mut());
    // tanh is a rescaled sigmoid: tanh(z) = 2σ(2z) − 1, centred on 0, four times as steep at 0.
    let via_sigmoid: Array2<f32> = z.mapv(|v| 2.0 * Activation::Sigmoid.value(2.0 * v) - 1.0);
    println!("tanh(z) {tanh}\ntanh'(0) = {}", Activation::Tanh.derivative(0.0));
    ae_mlp::output::plot::activation_curve(Activation::Tanh).show();
    // ANCHOR_END: tanh
    assert_eq!(tanh[[0, 2]], 0.0, "tanh(0) = 0");
    assert!((tanh[[0, 0]] + tanh[[0, 4]]).abs() < 1e-6, "tanh is odd");
    assert!(max_abs_diff(&tanh, &via_sigmoid) < 1e-6, "tanh(z) = 2σ(2z) − 1");
    assert_eq!(
        Activation::Tanh.derivative(0.0),
        1.0,
        "tanh's slope at 0 is 1, four times the sigmoid's"
    );

    // ANCHOR: softmax
    let scores: Array2<f32> = Array2::from_shape_vec(
        (3, 3),
        vec![2.0, 1.0, 0.1, 102.0, 101.0, 100.1, 1000.0, 999.0, 0.0],
    )
    .expect("three rows of scores");
    let mut probabilities: Array2<f32> = scores.clone();
    Activation::Softmax.forward(probabilities.view_mut());
    println!("scores\n{scores}\nsoftmax\n{probabilities:.4}");
    println!("row sums: {}", probabilities.sum_axis(Axis(1)));
    ae_mlp::output::plot::activation_curve(Activation::Softmax).show();
    // ANCHOR_END: softmax
    for row in probabilities.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-6, "each row sums to 1: {row}");
        assert!(
            row.iter().all(|p| p.is_finite() && *p >= 0.0),
            "probabilities, even for scores of 1000: {row}"
        );
    }
    let shift = (&probabilities.row(0) - &probabilities.row(1)).fold(0.0f32, |m, d| m.max(d.abs()));
    assert!(shift < 1e-6, "adding 100 to every score changes nothing: {shift}");
    assert!(
        probabilities[[0, 0]] > probabilities[[0, 1]]
            && probabilities[[0, 1]] > probabilities[[0, 2]],
        "order kept"
    );
    assert!(
        (probabilities[[2, 0]] / probabilities[[2, 1]] - 1f32.exp()).abs() < 1e-4,
        "a gap of 1 is a ratio of e"
    );

    // ANCHOR: cross_entropy
    // Two examples, three classes: raw scores (logits) and the true labels.
    let logits: Array2<f32> =
        Array2::from_shape_vec((2, 3), vec![2.0, 1.0, 0.1, 0.5, 2.5, -1.0]).expect("2 × 3 logits");
    let labels: Array1<u8> = Array1::from(vec![0, 2]);
    let mut grad: Array2<f32> = Array2::zeros(logits.raw_dim());
    let loss = ae_mlp::nn::loss::softmax_cross_entropy(
        logits.view(),
        labels.view(),
        Some(grad.view_mut()),
    );
    // The same by hand: −ln(probability of the true class), averaged; gradient (p − onehot) / batch.
    let mut p: Array2<f32> = logits.clone();
    Activation::Softmax.forward(p.view_mut());
    let by_hand = -(p[[0, 0]].ln() + p[[1, 2]].ln()) / 2.0;
    let mut expected_grad: Array2<f32> = p.clone();
    expected_grad[[0, 0]] -= 1.0;
    expected_grad[[1, 2]] -= 1.0;
    expected_grad /= 2.0;
    println!("loss {loss:.4} (by hand {by_hand:.4})\ngradient\n{grad:.4}");
    // ANCHOR_END: cross_entropy
    assert!((loss - by_hand).abs() < 1e-5, "fused loss = mean −ln p(label): {loss} vs {by_hand}");
    assert!(max_abs_diff(&grad, &expected_grad) < 1e-6, "dL/dz = (softmax(z) − onehot) / batch");
    assert!(grad.sum_axis(Axis(1)).iter().all(|s| s.abs() < 1e-6), "each row's gradient sums to 0");
    assert!(loss > 1.0, "the second example is confidently wrong, which costs a lot: {loss}");

    // ANCHOR: load
    // 5,000 of the 60,000 training images are held out to watch training on (see chapter 5).
    let data = Mnist::load_bundled()
        .and_then(|d| d.with_validation(5_000))
        .expect("the bundled MNIST loads");
    let (train, validation, test) = (data.train.len(), data.validation.len(), data.test.len());
    println!(
        "{train} training, {validation} validation and {test} test images of {} pixels",
        data.train.x.ncols()
    );
    // ANCHOR_END: load
    assert_eq!((train, validation, test, data.train.x.ncols()), (55_000, 5_000, 10_000, 784));

    // ANCHOR: relu_vs_identity
    // 784 → 256 → 128 → 10 with ReLU; Adam, batches of 256, seed 42, here for 5 epochs.
    let relu_params = MlpParams::raw_pixels().train(TrainParams::default().epochs(5));
    let linear_params = MlpParams { activation: Activation::Identity, ..relu_params.clone() };
    let (relu_mlp, relu_history) = relu_params
        .fit(
            data.train.x.view(),
            data.train.y.view(),
            Some((data.validation.x.view(), data.validation.y.view())),
            &mut print_epochs("ReLU    "),
        )
        .expect("the ReLU MLP trains");
    let (_linear_mlp, linear_history) = linear_params
        .fit(
            data.train.x.view(),
            data.train.y.view(),
            Some((data.validation.x.view(), data.validation.y.view())),
            &mut print_epochs("identity"),
        )
        .expect("the identity MLP trains");
    // ANCHOR_END: relu_vs_identity
    assert_eq!((relu_history.epochs.len(), linear_history.epochs.len()), (5, 5));
    // "Everything else equal": the two networks start from the same weights.
    let (relu_start, linear_start) =
        (relu_params.build(784).unwrap(), linear_params.build(784).unwrap());
    for (a, b) in relu_start.stack.layers.iter().zip(&linear_start.stack.layers) {
        assert_eq!(a.dense, b.dense, "same initial weights and biases");
    }
    let last =
        |h: &History| (*h.val_accuracy().last().unwrap(), *h.train_accuracy().last().unwrap());
    let ((relu_val, relu_train), (linear_val, linear_train)) =
        (last(&relu_history), last(&linear_history));
    assert!(relu_val >= 0.97, "ReLU MLP after 5 epochs, validation accuracy: {relu_val}");
    assert!(linear_val < 0.93, "a linear classifier stays near 92 % on MNIST: {linear_val}");
    assert!(
        relu_val - linear_val >= 0.04,
        "ReLU beats identity clearly: {relu_val} vs {linear_val}"
    );
    assert!(
        linear_train < 0.93,
        "the linear model cannot even fit its training set: {linear_train}"
    );
    assert!(relu_train > 0.98, "the ReLU model fits it: {relu_train}");
    let (relu_loss, linear_loss) = (relu_history.train_loss(), linear_history.train_loss());
    assert!(
        relu_loss[4] < 0.5 * linear_loss[4],
        "training loss: ReLU {relu_loss:?} vs identity {linear_loss:?}"
    );
    // Over the last two epochs the identity network's loss has nearly stopped falling (< 5 %),
    // while the ReLU network's still drops fast (> 20 %).
    assert!(linear_loss[4] > 0.95 * linear_loss[2], "identity: {linear_loss:?}");
    assert!(relu_loss[4] < 0.8 * relu_loss[2], "ReLU: {relu_loss:?}");

    // ANCHOR: probabilities
    let first_three: Array2<f32> = data.test.x.slice(s![..3, ..]).to_owned();
    let class_probabilities: Array2<f32> =
        relu_mlp.predict_proba(&first_three).expect("784 features");
    let predicted: Array1<u8> = relu_mlp.predict(&first_three).expect("784 features");
    println!("probabilities of digits 0–9:\n{class_probabilities:.3}");
    println!("predicted {predicted}, true {}", data.test.y.slice(s![..3]));
    // ANCHOR_END: probabilities
    for (row, &class) in class_probabilities.rows().into_iter().zip(&predicted) {
        assert!((row.sum() - 1.0).abs() < 1e-5, "a distribution over the ten digits: {row}");
        let best = row.iter().enumerate().fold(0, |b, (i, &p)| if p > row[b] { i } else { b });
        assert_eq!(best, usize::from(class), "predict is the most probable class");
    }
    assert_eq!(
        predicted,
        data.test.y.slice(s![..3]),
        "the first three test digits (7, 2, 1) are read right"
    );
}
