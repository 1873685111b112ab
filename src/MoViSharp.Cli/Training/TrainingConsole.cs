using MoViSharp.Training;
using Spectre.Console;

namespace MoViSharp.Cli.Training;

/// <summary>
/// Shows a run's progress on standard error: a Spectre.Console progress bar per epoch (loss, accuracy, clips/s) on a terminal,
/// plain lines (every ~10 % of an epoch and per epoch) when stderr is redirected.
/// </summary>
public static class TrainingConsole
{
    public static IReadOnlyList<EpochMetrics> Run(TrainingRun run, string title)
    {
        if (Console.IsErrorRedirected)
        {
            run.Progress += p =>
            {
                if (p.Batch == p.Batches || p.Batch % Math.Max(1, p.Batches / 10) == 0)
                    Console.Error.WriteLine($"{title} epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} acc {p.Accuracy:P1} {p.ClipsPerSecond:F1} clips/s lr {p.LearningRate:G3}");
            };
            run.EpochCompleted += h => Console.Error.WriteLine(Describe(title, h[^1]));
            return run.Run();
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        IReadOnlyList<EpochMetrics> result = [];
        console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                int taskEpoch = -1;
                run.Progress += p =>
                {
                    if (taskEpoch != p.Epoch)
                    {
                        task = context.AddTask($"{title} epoch {p.Epoch}/{p.Epochs}", maxValue: p.Batches);
                        taskEpoch = p.Epoch;
                    }
                    task!.Value = p.Batch;
                    task.Description = Markup.Escape($"{title} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F3} acc {p.Accuracy:P0} {p.ClipsPerSecond:F1} clips/s");
                };
                run.EpochCompleted += h => console.MarkupLine(Markup.Escape(Describe(title, h[^1])));
                result = run.Run();
            });
        return result;
    }

    private static string Describe(string title, EpochMetrics m) =>
        $"{title} epoch {m.Epoch}: loss {m.TrainLoss:F4}, train acc {m.TrainAccuracy:P1}" +
        (double.IsNaN(m.ValTop1) ? "" : $", val top-1 {m.ValTop1:P1}, top-5 {m.ValTop5:P1}") +
        $", {m.ClipsPerSecond:F1} clips/s, {m.Seconds:F0} s";
}
