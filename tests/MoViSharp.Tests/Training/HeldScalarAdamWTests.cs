using MoViSharp.Streaming;
using MoViSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Training;

public class HeldScalarAdamWTests
{
    /// <summary>The same parameters after every step as TorchSharp's AdamW: decayed and undecayed groups, a changing learning rate.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Steps_are_bitwise_those_of_TorchSharps_AdamW(bool amsgrad, bool maximize)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var inputs = randn([6, 4], generator: generator);
        var start = (Weight: randn([4, 3], generator: generator), Bias: randn([3], generator: generator));
        (Parameter Weight, Parameter Bias) Copy() => (new Parameter(start.Weight.clone()), new Parameter(start.Bias.clone()));
        AdamW.ParamGroup[] Groups((Parameter Weight, Parameter Bias) p) =>
        [
            new AdamW.ParamGroup { Parameters = [p.Weight], Options = new AdamW.Options { weight_decay = 0.05, amsgrad = amsgrad, maximize = maximize } },
            new AdamW.ParamGroup { Parameters = [p.Bias], Options = new AdamW.Options { weight_decay = 0, amsgrad = amsgrad, maximize = maximize } },
        ];
        var (reference, held) = (Copy(), Copy());
        using var referenceOptimizer = torch.optim.AdamW(Groups(reference), 0.01);
        using var heldOptimizer = new HeldScalarAdamW(Groups(held), 0.01);
        foreach (var (optimizer, p) in new (OptimizerHelper, (Parameter Weight, Parameter Bias))[] { (referenceOptimizer, reference), (heldOptimizer, held) })
            for (int step = 0; step < 6; step++)
            {
                foreach (var group in optimizer.ParamGroups) group.LearningRate = 0.01 / (1 + step);
                optimizer.zero_grad();
                inputs.matmul(p.Weight).add(p.Bias, Scalars.One).tanh().square().sum().backward();
                optimizer.step();
            }
        double weights = TestModels.MaxAbsDiff(held.Weight, reference.Weight), biases = TestModels.MaxAbsDiff(held.Bias, reference.Bias);
        Assert.True(weights == 0 && biases == 0, $"weights differ by {weights}, biases by {biases}");
        Assert.True(TestModels.MaxAbsDiff(held.Weight, start.Weight) > 1e-3, "the optimizer did not move the weights");
    }
}
