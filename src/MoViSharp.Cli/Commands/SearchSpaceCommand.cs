using System.CommandLine;
using System.Text.Json;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Search;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp search-space`: prints a search space as JSON (the starting point of a custom space file), the point a published
/// model is (<c>--published a0</c>), or random points with their configs (<c>--sample N</c>).
/// </summary>
public static class SearchSpaceCommand
{
    public static Command Create()
    {
        var space = new Option<string>("--space") { Description = "movinet (built in) or a space file (JSON)", DefaultValueFactory = _ => "movinet" };
        var published = new Option<string?>("--published") { Description = "Print the point of a published MoViNet (a0…a5), or why it is none" };
        var variant = CliOptions.Variant();
        var sample = new Option<int>("--sample") { Description = "Print this many random points (one JSON object per line)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("search-space", "Prints a search space as JSON, the point of a published model, or random points.")
        {
            space, published, variant, sample, seed,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var s = MoViNetSearchSpace.Load(result.GetValue(space)!);
            if (result.GetValue(published) is { } name)
            {
                var v = CliOptions.ParseVariant(result.GetValue(variant)) == "stream" ? MoViNetVariant.Stream : MoViNetVariant.Base;
                var (point, reason) = s.FromConfig(MoViNetSpecs.Get(name, v), frameStride: 1);
                if (point is null) throw new CliException($"{name}-{v.ToString().ToLowerInvariant()} is not a point of '{s.Name}': {reason}.");
                Console.WriteLine(point.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (result.GetValue(sample) is > 0 and var n)
            {
                var random = new SplitMix64((ulong)result.GetValue(seed));
                for (int i = 0; i < n; i++) Console.WriteLine(ArchitectureSampler.Sample(s, ref random).ToJson().ToJsonString());
                return 0;
            }
            Console.WriteLine(s.ToJsonText());
            return 0;
        }));
        return command;
    }
}
