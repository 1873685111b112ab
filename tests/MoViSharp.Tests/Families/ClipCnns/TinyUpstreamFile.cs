using System.Text.Json;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Tests.Families.ClipCnns;

/// <summary>
/// A small real checkpoint saved by the upstream code at tiny widths (Fixtures/zoo/checkpoints/NAME, written by
/// tools/zoo/make_clip_cnn_fixtures.py): the file, the deterministic clip [T, H, W, 3] and the upstream logits [1, 5].
/// </summary>
internal sealed class TinyUpstreamFile(string fixture)
{
    public string Directory { get; } = UpstreamReference.Fixture("checkpoints", fixture);

    public JsonElement Config { get; } = JsonDocument.Parse(File.ReadAllText(UpstreamReference.Fixture("checkpoints", fixture, "config.json"))).RootElement;

    public string Checkpoint => Path.Combine(Directory, Config.GetProperty("checkpoint").GetString()!);
    public string InputNpy => Path.Combine(Directory, "input.npy");
    public JsonElement Architecture => Config.GetProperty("architecture");
    public (int Frames, int Height, int Width) InputSize =>
        (Config.GetProperty("input").GetProperty("T").GetInt32(), Config.GetProperty("input").GetProperty("H").GetInt32(), Config.GetProperty("input").GetProperty("W").GetInt32());

    public float[] Logits => NpyFile.ReadFloat32(Path.Combine(Directory, "logits.npy")).Data;

    public IReadOnlyList<string> Keys => Config.GetProperty("state_dict").EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToList();
}
