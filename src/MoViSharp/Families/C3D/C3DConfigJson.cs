using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.C3D;

/// <summary>
/// A C3D configuration as JSON: {"family":"c3d","name","classes"} plus optional "stages" ([[64],[128],[256,256],…]), "fc"
/// ([4096, 4096]), "dropout", "native_frames", "native_size" (absent: the Sports-1M conversion's values).
/// </summary>
public static class C3DConfigJson
{
    public static string Write(C3DConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["stages"] = new JsonArray(c.Stages.Select(s => (JsonNode)new JsonArray(s.Select(w => (JsonNode)w).ToArray())).ToArray()),
        ["fc"] = new JsonArray(c.FullyConnected.Select(w => (JsonNode)w).ToArray()),
        ["dropout"] = c.DropoutRate,
        ["native_frames"] = c.NativeFrames,
        ["native_size"] = c.NativeSize,
    }.ToJsonString();

    public static C3DConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var d = new C3DConfig { Name = "c3d", NumClasses = 487 };
        var config = d with
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            Stages = r.Lists("stages", d.Stages),
            FullyConnected = r.List("fc", d.FullyConnected),
            DropoutRate = r.Get("dropout", d.DropoutRate),
            NativeFrames = r.Get("native_frames", d.NativeFrames),
            NativeSize = r.Get("native_size", d.NativeSize),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
