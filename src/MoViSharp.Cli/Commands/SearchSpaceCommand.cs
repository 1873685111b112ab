using System.CommandLine;
using System.Text.Json;
using MoViSharp.Data.Synthetic;
using MoViSharp.Families.MoViNets;
using MoViSharp.Families.TinyVideoNets;
using MoViSharp.Search;

namespace MoViSharp.Cli.Commands;

/// <summary>
/// `movisharp search-space`: prints a search space as JSON (the starting point of a custom space file), the point a published
/// model is (<c>--published a0</c> in a MoViNet space, <c>--published tvn1</c> in a TVN space), or random points (<c>--sample N</c>).
/// </summary>
public static class SearchSpaceCommand
{
    public static Command Create()
    {
        var space = new Option<string>("--space") { Description = "movinet or tvn (built in) or a space file (JSON)", DefaultValueFactory = _ => "movinet" };
        var published = new Option<string?>("--published") { Description = "Print the point of a published model (a0…a5 in a MoViNet space, tvn1…tvn4 in a TVN space), or why it is none" };
        var variant = CliOptions.Variant();
        var sample = new Option<int>("--sample") { Description = "Print this many random points (one JSON object per line)" };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("search-space", "Prints a search space as JSON, the point of a published model, or random points.")
        {
            space, published, variant, sample, seed,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var s = SearchSpaces.Load(result.GetValue(space)!);
            if (result.GetValue(published) is { } name)
            {
                ISearchPoint? point;
                string? reason;
                string label = name;
                switch (s)
                {
                    case TvnSearchSpace tvn:
                        if (!TvnSpecs.Names.Contains(name)) throw new CliException($"'{name}' is not a published TVN (known: {string.Join(", ", TvnSpecs.Names)}).");
                        (point, reason) = tvn.FromConfig(TvnSpecs.Get(name));
                        break;
                    case MoViNetSearchSpace movinet:
                        var v = CliOptions.ParseVariant(result.GetValue(variant)) == "stream" ? MoViNetVariant.Stream : MoViNetVariant.Base;
                        label = $"{name}-{v.ToString().ToLowerInvariant()}";
                        (point, reason) = movinet.FromConfig(MoViNetSpecs.Get(name, v), frameStride: 1);
                        break;
                    default:
                        throw new CliException($"--published knows MoViNet and TVN spaces, not '{s.Kind}'.");
                }
                if (point is null) throw new CliException($"{label} is not a point of '{s.Name}': {reason}.");
                Console.WriteLine(point.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (result.GetValue(sample) is > 0 and var n)
            {
                var random = new SplitMix64((ulong)result.GetValue(seed));
                for (int i = 0; i < n; i++) Console.WriteLine(s.Sample(ref random).ToJson().ToJsonString());
                return 0;
            }
            Console.WriteLine(s.ToJsonText());
            return 0;
        }));
        return command;
    }
}
