using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Tests;

/// <summary>Helpers that make models whose every branch matters (ReZero and PE scales non-zero, BN statistics non-trivial).</summary>
internal static class TestModels
{
    /// <summary>Fills every parameter and BN statistic with seeded values that keep activations of order one.</summary>
    public static T Randomize<T>(T module, long seed = 1) where T : nn.Module
    {
        var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        // Every temporary lives in a scope: one left to the finalizer thread can be freed while libtorch still reads it
        // (a SIGSEGV under the parallel suite, seen in CI), because nothing keeps a chained call's receiver reachable.
        using var scope = NewDisposeScope();
        foreach (var (name, p) in module.named_parameters())
        {
            if (p.dim() == 0) p.copy_(rand([], generator: generator).mul(0.5).add(0.5));           // ReZero / PE scales in [0.5, 1)
            else if (name.EndsWith("bn.weight")) p.copy_(rand(p.shape, generator: generator).mul(0.4).add(0.8));
            else if (name.EndsWith("bias")) p.copy_(randn(p.shape, generator: generator).mul(0.1));
            else
            {
                long fanIn = p.numel() / p.shape[0];
                p.copy_(randn(p.shape, generator: generator).mul(1.0 / Math.Sqrt(fanIn)));
            }
        }
        foreach (var (name, b) in module.named_buffers())
        {
            if (name.EndsWith("running_mean")) b.copy_(randn(b.shape, generator: generator).mul(0.1));
            else if (name.EndsWith("running_var")) b.copy_(rand(b.shape, generator: generator).mul(0.5).add(0.75));
        }
        module.eval();
        return module;
    }

    public static MoViNet Stream(string name, int classes = 10, Func<MoViNetConfig, MoViNetConfig>? customize = null, long seed = 1) =>
        Randomize(MoViNet.Create(name, MoViNetVariant.Stream, classes, customize), seed);

    public static Tensor Clip(int frames, int size, int batch = 1, long seed = 7) =>
        rand([batch, 3, frames, size, size], generator: new Generator((ulong)seed));

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.sub(b).abs().max().item<float>();
    }
}
