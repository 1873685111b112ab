using MoViSharp.Layers;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Layers;

public class ActivationTests
{
    private static float[] Apply(Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> f, params float[] x) => f(tensor(x)).data<float>().ToArray();

    [Fact]
    public void GatesHaveTheirPublishedFormulas()
    {
        float[] x = [-4f, -1f, 0f, 1f, 2.5f, 4f];
        Assert.Equal([0f, 0.3f, 0.5f, 0.7f, 1f, 1f], Apply(t => Activations.Gate(t, GateKind.HardSigmoidKeras), x), new Tolerance(1e-6f));
        Assert.Equal([0f, 2f / 6, 0.5f, 4f / 6, 5.5f / 6, 1f], Apply(t => Activations.Gate(t, GateKind.HardSigmoidRelu6), x), new Tolerance(1e-6f));
        Assert.Equal(x.Select(v => 1 / (1 + MathF.Exp(-v))), Apply(t => Activations.Gate(t, GateKind.Sigmoid), x), new Tolerance(1e-6f));
    }

    [Fact]
    public void BackboneActivationsHaveTheirPublishedFormulas()
    {
        float[] x = [-4f, -1f, 0f, 1f, 2.5f, 7f];
        Assert.Equal(x.Select(v => v * Math.Clamp(v + 3, 0, 6) / 6), Apply(t => Activations.Apply(t, ActivationKind.HardSwish), x), new Tolerance(1e-6f));
        Assert.Equal(x.Select(v => v / (1 + MathF.Exp(-v))), Apply(t => Activations.Apply(t, ActivationKind.Swish), x), new Tolerance(1e-6f));
        Assert.Equal(x.Select(v => Math.Clamp(v, 0, 6)), Apply(t => Activations.Apply(t, ActivationKind.Relu6), x), new Tolerance(1e-6f));
    }

    private sealed class Tolerance(float eps) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(float obj) => 0;
    }
}
