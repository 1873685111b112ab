using System.Text.Json.Nodes;
using MoViSharp.Models;

namespace MoViSharp.Families.S3D;

/// <summary>
/// An S3D configuration as JSON: {"family":"s3d","name","classes"} plus optional "stem", "reduce", "conv", "inception"
/// ([[b0, b1_mid, b1, b2_mid, b2, b3], …]), "stages", "head_pool" ([t, h, w]), "dropout", "bn_eps", "bn_momentum", "native_frames",
/// "native_size" (absent: torchvision's S3D).
/// </summary>
public static class S3DConfigJson
{
    public static string Write(S3DConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["stem"] = c.StemChannels,
        ["reduce"] = c.ReduceChannels,
        ["conv"] = c.ConvChannels,
        ["inception"] = new JsonArray(c.Inception.Select(s => (JsonNode)new JsonArray(s.ToList().Select(v => (JsonNode)v).ToArray())).ToArray()),
        ["stages"] = new JsonArray(c.StageBlocks.Select(b => (JsonNode)b).ToArray()),
        ["head_pool"] = new JsonArray(c.HeadPool.Time, c.HeadPool.Height, c.HeadPool.Width),
        ["dropout"] = c.DropoutRate,
        ["bn_eps"] = c.BatchNormEpsilon,
        ["bn_momentum"] = c.BatchNormMomentum,
        ["native_frames"] = c.NativeFrames,
        ["native_size"] = c.NativeSize,
    }.ToJsonString();

    public static S3DConfig Read(string json, string source = "config")
    {
        var r = new ConfigJsonReader(json, source);
        var d = new S3DConfig { Name = "s3d", NumClasses = 400 };
        var inception = r.Lists("inception", d.Inception.Select(s => s.ToList()).ToList()).Select((s, i) => s.Count == 6
            ? new InceptionSpec(s[0], s[1], s[2], s[3], s[4], s[5])
            : throw new InvalidDataException($"{source}: inception[{i}] must be [b0, b1_mid, b1, b2_mid, b2, b3].")).ToList();
        var pool = r.List("head_pool", [d.HeadPool.Time, d.HeadPool.Height, d.HeadPool.Width]);
        if (pool.Count != 3) throw new InvalidDataException($"{source}: head_pool must be [t, h, w].");
        var config = d with
        {
            Name = r.Get("name", "custom"),
            NumClasses = r.Required<int>("classes"),
            StemChannels = r.Get("stem", d.StemChannels),
            ReduceChannels = r.Get("reduce", d.ReduceChannels),
            ConvChannels = r.Get("conv", d.ConvChannels),
            Inception = inception,
            StageBlocks = r.List("stages", d.StageBlocks),
            HeadPool = (pool[0], pool[1], pool[2]),
            DropoutRate = r.Get("dropout", d.DropoutRate),
            BatchNormEpsilon = r.Get("bn_eps", d.BatchNormEpsilon),
            BatchNormMomentum = r.Get("bn_momentum", d.BatchNormMomentum),
            NativeFrames = r.Get("native_frames", d.NativeFrames),
            NativeSize = r.Get("native_size", d.NativeSize),
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }
}
