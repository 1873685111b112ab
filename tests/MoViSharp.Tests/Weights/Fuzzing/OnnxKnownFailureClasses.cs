using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoViSharp.Weights;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// One ONNX input per class of error that escaped <see cref="Onnx.Runtime.OnnxClassifier"/> before it joined the readers'
/// contract, kept in Fixtures/fuzz/onnx/ as a small edit of the exported seed and rebuilt here, so file and meaning stay
/// together. Set MOVISHARP_WRITE_KNOWN_REGRESSIONS to the source tree's Fixtures/fuzz folder to (re)write the files.
/// </summary>
public class OnnxKnownFailureClasses
{
    /// <param name="Before">What loading and stepping it did before (OnnxClassifier and OnnxModelInfo at main's a167d58).</param>
    public sealed record Case(string File, string Before, Func<string> Stored, string MessagePart)
    {
        public override string ToString() => File;
    }

    private static readonly Case[] Cases =
    [
        new("truncated" + OnnxSavedInput.PatchExtension, "InvalidDataException (outside the contract) wrapping ONNX Runtime's protobuf error",
            () => $"length {OnnxFuzzTarget.PlainSeed.Value.Length / 3}\n", "not a readable ONNX model"),
        new("preprocessing_frames_is_a_string" + OnnxSavedInput.MetadataExtension, "InvalidOperationException from JsonNode.GetValue<int>",
            () => Metadata("plain", "preprocessing", p => p.Replace("\"frames\":", "\"frames\":\"x\",\"was\":", StringComparison.Ordinal)),
            "preprocessing 'frames' is not a Int32"),
        new("preprocessing_without_size" + OnnxSavedInput.MetadataExtension, "NullReferenceException from n[\"size\"]!",
            () => Metadata("plain", "preprocessing", p => p.Replace("\"size\":", "\"sides\":", StringComparison.Ordinal)),
            "preprocessing 'size' is missing"),
        new("negative_classes" + OnnxSavedInput.MetadataExtension, "OnnxRuntimeException allocating the logits [1, -1] in InitialState",
            () => Edit("plain", new() { ["classes"] = "-1", ["labels"] = null }), "classes must be 1…"),
        new("huge_frame_height" + OnnxSavedInput.MetadataExtension, "OnnxRuntimeException (std::bad_alloc) allocating a 3×2147483647×32 frame",
            () => Edit("plain", new() { ["frame_height"] = "2147483647" }), "the frame size must be 1…4096"),
        new("ring_with_fewer_inputs_than_frames" + OnnxSavedInput.MetadataExtension, "IndexOutOfRangeException binding the ring in Step",
            () => Metadata("ring", "states", s => DropFirstRingInput(s)), "frames needs shape [C,"),
        new("state_dtype_float64" + OnnxSavedInput.MetadataExtension, "InvalidDataException from OrtTensors.ElementType",
            () => Metadata("plain", "states", s => s.Replace("\"float32\"", "\"float64\"", StringComparison.Ordinal)), "unknown state dtype 'float64'"),
        new("state_shape_disagrees_with_the_graph" + OnnxSavedInput.MetadataExtension, "OnnxRuntimeException from RunWithBinding (invalid dimensions for a state input)",
            () => Metadata("plain", "states", s => GrowFirstPlainState(s)), "the metadata says"),
    ];

    public static TheoryData<Case> All() => new(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void Each_onnx_failure_class_has_a_regression_file_that_now_fails_cleanly(Case c)
    {
        byte[] stored = Encoding.UTF8.GetBytes(c.Stored());
        if (Environment.GetEnvironmentVariable("MOVISHARP_WRITE_KNOWN_REGRESSIONS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(Path.Combine(folder, "onnx"));
            File.WriteAllBytes(Path.Combine(folder, "onnx", c.File), stored);
        }
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "onnx", c.File);
        Assert.True(File.Exists(path), $"{path} is missing (before: {c.Before})");
        Assert.Equal(stored, File.ReadAllBytes(path));
        var target = FuzzTargets.Get("onnx");
        var thrown = ReaderContract.Check("onnx", target.Load(path), target.InputName, target.Read, target.Allowed, target.Save);
        var error = Assert.IsType<CheckpointFormatException>(thrown);
        Assert.Contains(c.MessagePart, error.Message);
        Assert.Equal("fuzz.onnx", error.FileName);
    }

    private static string Edit(string seed, Dictionary<string, string?> set) =>
        new JsonObject { ["base"] = seed, ["set"] = new JsonObject(set.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string Metadata(string seed, string key, Func<string, string> change)
    {
        string value = OnnxSavedInput.Metadata(seed == "ring" ? OnnxFuzzTarget.RingSeed.Value : OnnxFuzzTarget.PlainSeed.Value, key);
        string changed = change(value);
        Assert.NotEqual(value, changed);
        return Edit(seed, new() { [key] = changed });
    }

    private static string DropFirstRingInput(string states)
    {
        var array = JsonNode.Parse(states)!.AsArray();
        var ring = array.First(s => s!["kind"]!.GetValue<string>() == "ring")!;
        ring["inputs"]!.AsArray().RemoveAt(0);
        return array.ToJsonString();
    }

    /// <summary>The first plain state one channel wider in the metadata (its plain and ONNX shapes agreeing), not in the graph.</summary>
    private static string GrowFirstPlainState(string states)
    {
        var array = JsonNode.Parse(states)!.AsArray();
        var plain = array.First(s => s!["kind"]!.GetValue<string>() == "plain" && s["onnx_shape"] is JsonArray { Count: > 0 } && s["shape"]!.AsArray().Count > 0)!;
        foreach (var shape in new[] { plain["shape"]!.AsArray(), plain["onnx_shape"]!.AsArray() })
            shape[^1] = shape[^1]!.GetValue<long>() + 1;
        return array.ToJsonString();
    }
}
