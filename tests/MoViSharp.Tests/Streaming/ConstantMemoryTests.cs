using MoViSharp.Classification;
using MoViSharp.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

/// <summary>A stream's memory must not grow with the number of frames: every per-frame tensor is freed, only the state lives on.</summary>
public class ConstantMemoryTests
{
    [Fact]
    public void PerFrameStepsLeaveNoLiveTensorsBehind()
    {
        using var outer = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 5);
        using var state = model.InitialState(1, 40, 40);
        using var frame = rand(1, 3, 40, 40);
        using var mode = inference_mode();
        void Steps(int n)
        {
            for (int t = 0; t < n; t++)
            {
                using var scope = NewDisposeScope();
                model.StepLogits(frame, state);
            }
        }
        Steps(3);                                                      // warm-up: lazily created caches
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Steps(50);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void SessionsLeaveNoLiveTensorsBehind()
    {
        using var outer = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 5);
        using var compiled = MoViSharp.Inference.ModelCompiler.Compile(model);
        using var session = new StreamingSession(compiled, 40, 40);
        using var frame = rand(3, 40, 40);
        session.Push(frame);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int t = 0; t < 50; t++) session.Push(frame);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
