using MoViSharp.Classification;
using MoViSharp.Inference;
using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Inference;

public class MultiStreamRunnerTests
{
    [Fact]
    public void StreamsJoiningAndLeavingAtDifferentTimesGetTheLogitsTheyWouldGetAlone()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("a0");
        const int size = 40, frames = 8;
        // Stream s has its own clip; (join, leave) frame of the runner's clock.
        var schedule = new (int Join, int Leave)[] { (0, 8), (2, 6), (3, 10), (5, 9) };
        var clips = schedule.Select((_, s) => TestModels.Clip(frames, size, seed: 100 + s)).ToArray();
        Tensor[] alone;
        using (var mode = inference_mode())
            alone = clips.Select(c => model.Logits(c).squeeze(0)).ToArray();     // [T, K] per stream, from scratch

        using var compiled = ModelCompiler.Compile(model);
        using var runner = new MultiStreamRunner(compiled, size, size);
        var ids = new int?[schedule.Length];
        var seen = new int[schedule.Length];
        for (int clock = 0; clock <= 10; clock++)
        {
            for (int s = 0; s < schedule.Length; s++)
            {
                if (schedule[s].Join == clock) ids[s] = runner.Join();
                if (ids[s] is int id && (schedule[s].Leave == clock || seen[s] == frames))
                {
                    using var left = runner.Leave(id);
                    using var official = MoViNetStateNames.ToOfficial(model, left);
                    Assert.Equal(seen[s], official[MoViNetStateNames.PoolFrameCount(MoViNetStateNames.HeadPrefix)].item<int>());
                    ids[s] = null;
                }
            }
            var active = Enumerable.Range(0, schedule.Length).Where(s => ids[s] is not null).ToList();
            var inputs = active.ToDictionary(s => ids[s]!.Value, s => clips[s].select(2, seen[s]).squeeze(0));
            var outputs = runner.Step(inputs);
            Assert.Equal(active.Count, outputs.Count);
            foreach (var s in active)
            {
                var expected = alone[s][seen[s]].data<float>().ToArray();
                var actual = outputs[ids[s]!.Value];
                double diff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(diff <= 1e-4, $"stream {s} frame {seen[s]} (clock {clock}, {active.Count} streams) differs by {diff}");
                seen[s]++;
            }
        }
        Assert.Equal(new[] { 8, 4, 7, 4 }, seen);
    }

    [Fact]
    public void AStreamCanLeaveTheRunnerAndContinueOnThePlainModel()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0");
        const int size = 40;
        var clip = TestModels.Clip(5, size);
        using var mode = inference_mode();
        var reference = model.Logits(clip);
        using var compiled = ModelCompiler.Compile(model);
        using var runner = new MultiStreamRunner(compiled, size, size);
        int other = runner.Join();
        int id = runner.Join();
        var noise = rand([3, size, size]);
        for (int t = 0; t < 3; t++) runner.Step(new Dictionary<int, Tensor> { [id] = clip.select(2, t).squeeze(0), [other] = noise });
        using var state = runner.Leave(id);
        for (int t = 3; t < 5; t++)
            Assert.True(TestModels.MaxAbsDiff(model.StepLogits(clip.select(2, t), state), reference.select(1, t)) <= 1e-4);
        Assert.Equal(new[] { other }, runner.Streams);
    }
}
