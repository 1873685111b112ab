using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Training;

/// <summary>
/// TorchSharp's AdamW with the same arithmetic in the same order, but with every scalar held for the call and every temporary in
/// a dispose scope (design.md §9). TorchSharp's own step passes implicit scalars (<c>mul_(beta1)</c>, <c>add_(grad, alpha)</c>,
/// <c>add_(eps)</c>) that the finalizer thread can free while libtorch reads them: a 47-minute search died of it in
/// <c>add_</c> ("toFloat … Expected false to be true"). The moment buffers are the base class's, so saved optimizer states load
/// either way.
/// </summary>
public sealed class HeldScalarAdamW : AdamW
{
    public HeldScalarAdamW(IEnumerable<ParamGroup> groups, double learningRate) : base(groups, learningRate) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, eps = options.eps!.Value;
        double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value;
        using var keepAfterDecay = (1 - lr * weightDecay).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var oneMinusBeta1 = (1 - beta1).ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var oneMinusBeta2 = (1 - beta2).ToScalar();
        using var epsScalar = eps.ToScalar();
        foreach (var param in group.Parameters)
        {
            using var scope = NewDisposeScope();
            var gradient = param.grad;
            if (gradient is null) continue;
            if (options.maximize!.Value) gradient = gradient.neg();
            var state = (State)_state[param.Handle];
            state.step += 1;
            param.mul_(keepAfterDecay);
            double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(beta1Scalar).add_(gradient, oneMinusBeta1);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(gradient, gradient, oneMinusBeta2);
            if (options.amsgrad!.Value)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
            }
            using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
            using var stepSize = (-lr / correction1).ToScalar();
            var denominator = (options.amsgrad.Value ? state.max_exp_avg_sq : state.exp_avg_sq).sqrt().div_(rootCorrection2).add_(epsScalar, Scalars.One);
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }, closure);
}
