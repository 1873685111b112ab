using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.BLVNetTAM;

/// <summary>
/// A bLVNet-TAM configuration as JSON: {"family":"blvnet_tam","name","classes"} plus optional "layers" ([3, 4, 6, 3]), "alpha",
/// "beta", "frames", "native_size", "dropout", "bn_eps", "bn_momentum" (absent: the published f8×2 model's).
/// </summary>
public static class BlvnetConfigJson
{
    public static string Write(BlvnetConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["layers"] = new JsonArray(c.Layers.Select(b => (JsonNode)b).ToArray()),
        ["alpha"] = c.Alpha,
        ["beta"] = c.Beta,
        ["frames"] = c.Frames,
        ["native_size"] = c.NativeSize,
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
    }.ToJsonString();

    public static BlvnetConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var d = BlvnetFamily.Published;
        var config = d with
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Layers = r.List("layers", d.Layers),
            Alpha = r.Get("alpha", d.Alpha),
            Beta = r.Get("beta", d.Beta),
            Frames = r.Get("frames", d.Frames),
            NativeSize = r.Get("native_size", d.NativeSize),
            DropoutRate = r.Get("dropout", d.DropoutRate),
            BatchNormEpsilon = r.Get("bn_eps", d.BatchNormEpsilon),
            BatchNormMomentum = r.Get("bn_momentum", d.BatchNormMomentum),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
