using System.Diagnostics;
using MoViSharp.Layers;
using MoViSharp.Profiling;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using static TorchSharp.torch;

namespace MoViSharp.Inference;

/// <summary>Residuals whose branches need no delay alignment: compiled shortcut and branch, ReZero folded, added in place.</summary>
public sealed class ResidualRule : ICompileRule
{
    public CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context)
    {
        if (module is not Residual residual || residual.Temporal.Delay > 0) return null;
        var shortcut = residual.Shortcut is { } s ? context.Compile(s, input) : null;
        var branch = new CompiledSequential(context.CompileSequence(residual.Items.Select(i => i.Module).ToList(), input), input);
        return new CompiledResidual(shortcut, branch, residual.Scale?.detach().item<float>(), input);
    }
}

/// <summary>Any other sequence (models, stages, heads): its children in order, neighbours fused by the pair rules.</summary>
public sealed class SequentialRule : ICompileRule
{
    public CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context)
    {
        if (module is not Sequential sequential || module is Residual) return null;
        return new CompiledSequential(context.CompileSequence(sequential.Items.Select(i => i.Module).ToList(), input), input);
    }
}

/// <summary>Convolution units: spatial and pointwise ones folded (depthwise ones possibly on the SIMD kernel), causal temporal depthwise ones on a ring.</summary>
public sealed class ConvUnitRule : ICompileRule
{
    public CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context)
    {
        if (module is not ConvUnit unit) return null;
        if (RingTemporalConv.Handles(unit)) return new RingTemporalConv(unit, input, context);
        if (!FoldedConv2d.Handles(unit)) return null;
        if (SimdDepthwise.Handles(unit) && context.Options.Depthwise != DepthwiseExecution.Torch)
            return DepthwiseChoice.Choose(context, input,
                () => new SimdDepthwise(unit, null, input),
                () => new FoldedConv2d(unit, input));
        return new FoldedConv2d(unit, input);
    }
}

/// <summary>A spatial depthwise conv followed by a causal temporal depthwise conv: one SIMD pass, or folded conv + ring, whichever is faster.</summary>
public sealed class DepthwisePairRule : IPairCompileRule
{
    public CompiledModule? TryCompile(StreamModule first, StreamModule second, VideoShape input, CompileContext context)
    {
        if (first is not ConvUnit spatial || second is not ConvUnit temporal) return null;
        if (!SimdDepthwise.Handles(spatial) || !RingTemporalConv.Handles(temporal) || spatial.OutChannels != temporal.InChannels) return null;
        if (context.Options.Depthwise == DepthwiseExecution.Torch) return null;
        var middle = CompileContext.OutputShape(spatial, input);
        var ring = new RingTemporalConv(temporal, middle, context);
        return DepthwiseChoice.Choose(context, input,
            () => new SimdDepthwise(spatial, ring, input),
            () => new CompiledSequential([new FoldedConv2d(spatial, input), ring], input),
            keep: ring);
    }
}

/// <summary>Times the SIMD kernel against libtorch on the layer's own shapes (when the options say so) and keeps the faster.</summary>
internal static class DepthwiseChoice
{
    public static CompiledModule Choose(CompileContext context, VideoShape input, Func<CompiledModule> simd, Func<CompiledModule> torch,
        CompiledModule? keep = null)
    {
        if (context.Options.Depthwise == DepthwiseExecution.Simd) return simd();
        var a = simd();
        var b = torch();
        using var graph = new ScratchState(context.SlotCount, context.Options.MeasureBatch, a, b);
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        // Its own generator: compiling must not move the global random stream users seed for reproducibility.
        var x = rand([context.Options.MeasureBatch, input.Channels, input.Height, input.Width], generator: new Generator(0));
        double best(CompiledModule m)
        {
            double fastest = double.MaxValue;
            for (int i = 0; i < 8; i++)
            {
                long start = Stopwatch.GetTimestamp();
                m.Step(x, graph.State)?.Dispose();
                fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
            return fastest;
        }
        double simdTime = best(a), torchTime = best(b);
        var (winner, loser) = simdTime < torchTime ? (a, b) : (b, a);
        Release(loser, keep);
        return winner;
    }

    /// <summary>Disposes a discarded candidate's own tensors; the ring it shares with the winner stays (SIMD kernels hold only managed arrays).</summary>
    private static void Release(CompiledModule loser, CompiledModule? shared)
    {
        foreach (var m in loser.Flatten().OfType<FoldedConv2d>().ToList())
            if (!ReferenceEquals(m, shared)) m.Dispose();
    }

    /// <summary>A state with the candidates' slots, for timing; disposed afterwards (the timed steps leave no trace).</summary>
    private sealed class ScratchState : IDisposable
    {
        public CompiledState State { get; }

        public ScratchState(int slots, int batch, params CompiledModule[] modules)
        {
            State = new CompiledState(new CompiledGraph(new CompiledIdentity(default), slots, 0, 0), batch);
            foreach (var m in modules) m.InitState(State);
        }

        public void Dispose() => State.Dispose();
    }
}

/// <summary>Causal squeeze-excitation fused for frames.</summary>
public sealed class SqueezeExcitationRule : ICompileRule
{
    public CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context) =>
        module is SqueezeExcitation se && FusedSqueezeExcitation.Handles(se) ? new FusedSqueezeExcitation(se, input, context) : null;
}

/// <summary>Pools and inference-free modules.</summary>
public sealed class PoolingAndIdentityRule : ICompileRule
{
    public CompiledModule? TryCompile(StreamModule module, VideoShape input, CompileContext context) => module switch
    {
        CumulativeAveragePool pool => new RunningMeanPool(pool, input, context),
        SpatialAveragePool => new CompiledSpatialMean(input),
        TfSameAveragePool pool => new CompiledTfSameAveragePool(pool, input),
        Dropout => new CompiledIdentity(input),
        Delay { Frames: 0 } => new CompiledIdentity(input),
        _ => null,
    };
}
