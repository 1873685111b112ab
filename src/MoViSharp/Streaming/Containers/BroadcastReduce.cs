using MoViSharp.Profiling;
using static TorchSharp.torch;

namespace MoViSharp.Streaming.Containers;

/// <summary>
/// The same input to every branch, the outputs combined by a <see cref="Reduction"/> (sum, product or channel concatenation).
/// Branches with a smaller delay are delayed to the largest one in many-step calls, so every branch's frame n refers to the
/// same input frame (continual-inference's auto-delay); their strides must agree. A branch may be identity (null module);
/// sums and products broadcast (a per-frame gate [B, C, T, 1, 1] times its input).
/// </summary>
public sealed class BroadcastReduce : StreamModule
{
    private readonly List<(string Name, StreamModule? Module, Delay? Align)> branches = [];

    public Reduction Reduction { get; }

    public BroadcastReduce(Reduction reduction, IEnumerable<(string Name, StreamModule? Module)> branches) : base(nameof(BroadcastReduce))
    {
        Reduction = reduction;
        var list = branches.ToList();
        if (list.Count < 2) throw new ArgumentException("BroadcastReduce needs at least two branches.", nameof(branches));
        int lag = list.Max(b => b.Module?.Temporal.Delay ?? 0);
        foreach (var (branchName, module) in list)
        {
            if (module is not null) register_module(branchName, module);
            int own = module?.Temporal.Delay ?? 0;
            Delay? align = own < lag ? new Delay(lag - own) : null;
            if (align is not null) register_module($"{branchName}_delay", align);
            this.branches.Add((branchName, module, align));
        }
        _ = Temporal;       // checks the strides agree
    }

    public IEnumerable<(string Name, StreamModule? Module)> Branches => branches.Select(b => (b.Name, b.Module));

    public override Tensor Forward(Tensor input, StreamState? state)
    {
        Tensor? result = null;
        var parts = new List<Tensor>();
        foreach (var (_, module, align) in branches)
        {
            var y = module is null ? input : module.Forward(input, state);
            if (align is not null) y = align.Forward(y, state);
            if (Reduction == Reduction.Concatenate) parts.Add(y);
            else result = result is null ? y : Reduction == Reduction.Sum ? result.add(y, Scalars.One) : result.mul(y);
        }
        return Reduction == Reduction.Concatenate ? cat(parts, 1) : result!;
    }

    public override TemporalProfile Temporal =>
        TemporalProfile.Parallel(branches.Select(b => b.Module?.Temporal ?? TemporalProfile.Pointwise));

    public override VideoShape Trace(VideoShape input, ModelTrace trace)
    {
        var shapes = new List<VideoShape>();
        foreach (var (_, module, align) in branches)
        {
            var shape = module?.Trace(input, trace) ?? input;
            align?.Trace(shape, trace);
            shapes.Add(shape);
        }
        return Reduction == Reduction.Concatenate ? shapes[0] with { Channels = shapes.Sum(s => s.Channels) } : shapes.Aggregate(Broadcast);
    }

    /// <summary>The element-wise broadcast of two shapes (each extent equal, or 1 on one side), e.g. a gate [C,T,1,1] times [C,T,H,W].</summary>
    private VideoShape Broadcast(VideoShape a, VideoShape b)
    {
        long One(long x, long y) => x == y || y == 1 ? x : x == 1 ? y
            : throw new InvalidOperationException($"Branches of a {Reduction} do not broadcast: {a} and {b}.");
        return new VideoShape(One(a.Channels, b.Channels), One(a.Frames, b.Frames), One(a.Height, b.Height), One(a.Width, b.Width));
    }
}
