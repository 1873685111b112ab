using System.Diagnostics;
using MoViSharp.Families.Continual;
using MoViSharp.Inference;
using MoViSharp.Models;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Bench;

public sealed partial class BenchMeasurements
{
    /// <summary>
    /// The continual speed-up of one continual model: its compiled step (one prediction per frame) against its clip model
    /// recomputing its whole clip for every prediction, both on one thread at the clip model's own input, plus multiply-adds per
    /// prediction and the state carried between frames. Random weights: the cost does not depend on them.
    /// </summary>
    private void MeasureContinual(ModelEntry entry, BenchResults results)
    {
        var config = (ContinualConfig)entry.Config;
        using var continual = ModelRegistry.Create(entry.Name);
        using var clipModel = ModelRegistry.Build(config.Base);
        continual.eval();
        clipModel.eval();
        var p = clipModel.Config.Preprocessing;
        int window = settings.Quick ? Math.Min(p.Frames, 4) : p.Frames, size = settings.Size ?? p.Size;
        var step = continual.Trace(1, size, size);
        long clipMacs = clipModel.Trace(window, size, size).MultiplyAdds;
        set_num_threads(1);
        using var compiledStep = ModelCompiler.Compile(continual);
        using var compiledClip = ModelCompiler.Compile(clipModel);
        // The step is timed in steady state: the warm-up runs past the delay, so every timed step emits a prediction.
        var stepStats = TimeSteps(compiledStep, 1, size, Math.Max(3, Math.Min(settings.Frames, 30)));
        using var clip = rand([1, 3, window, size, size]);
        var times = new List<double>();
        for (int i = 0; i < (settings.Quick ? 2 : 4); i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (NewDisposeScope())
            using (inference_mode())
                compiledClip.ClipLogits(clip);
            if (i > 0) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var temporal = continual.Temporal;
        var row = new ContinualSpeedup(entry.Name, config.Base.Id, window, size, temporal.Delay, temporal.ReceptiveField, step.MultiplyAdds,
            clipMacs, stepStats.Median, LatencyStats.Of(times).Median, step.States.Sum(s => s.Bytes), ContinualSpeedup.Published(entry.Name));
        results.Continual.Add(row);
        log($"{entry.Name} vs {row.Base} ({window}×{size}²): {row.StepMacs / 1e9:F3} vs {row.ClipMacs / 1e9:F3} GMACs per prediction " +
            $"({row.MacReduction:F1}×), {row.StepMs:F1} vs {row.ClipMs:F1} ms ({row.TimeReduction:F1}×), state {row.StateBytes / 1e6:F1} MB");
        MeasureTransient(entry, continual, results);
    }

    /// <summary>
    /// The start-up transient under both temporal fills (<see cref="ContinualTransient"/>): one synthetic video, the warm run first
    /// sees one receptive field of it, the cold runs start at that point. Same random weights for both fills.
    /// </summary>
    private void MeasureTransient(ModelEntry entry, VideoModel continual, BenchResults results)
    {
        var config = (ContinualConfig)entry.Config;
        int size = settings.Quick ? 32 : Math.Min(settings.Size ?? continual.Config.Preprocessing.Size, 112);
        int field = continual.Temporal.ReceptiveField, frames = field + (settings.Quick ? 4 : 16);
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        // A smooth moving pattern rather than noise: neighbouring frames are alike, as in video, so the fills matter as they do there.
        var basis = rand([1, 3, 1, size, size], generator: generator);
        var drift = rand([1, 3, 1, size, size], generator: generator);
        var phase = linspace(0, 6.28, field + frames).reshape(1, 1, -1, 1, 1);
        var video = basis + 0.5 * sin(phase + 6.28 * drift);
        foreach (var fill in new[] { TemporalFill.Zeros, TemporalFill.Replicate })
        {
            using var model = ModelRegistry.Build(config with { Fill = fill });
            model.load_state_dict(continual.state_dict());
            model.eval();
            var distance = ContinualTransient.RelativeDistance(model, video.narrow(2, 0, field), video.narrow(2, field, frames));
            results.Transients.Add(new ContinualTransientSeries(entry.Name, fill, size, field, distance));
            log($"{entry.Name} transient ({fill} fill, {size}²): relative logit distance {distance[0]:G3} at frame 1, " +
                $"{distance[Math.Min(distance.Length - 1, field / 2)]:G3} at frame {Math.Min(distance.Length, field / 2 + 1)}, {distance[^1]:G3} at frame {distance.Length}");
        }
    }
}
