using Xunit.Abstractions;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Property: for any damaged variant of a real file, each reader returns or throws only the contract's exceptions, within the
/// time limit and memory bound (<see cref="ReaderContract"/>). A bounded, fixed-seed run per reader here; tools/fuzz/fuzz.sh runs
/// the same tests with a larger count (docs/fuzzing.md).
/// </summary>
[Trait("Category", "Fuzz")]
public class ReaderFuzzTests(ITestOutputHelper output)
{
    private void Fuzz(string target, long suiteCount) => output.WriteLine(FuzzRunner.Run(FuzzTargets.Get(target), FuzzSettings.Count(suiteCount)));

    [Fact] public void Npy_reader_keeps_its_contract() => Fuzz("npy", 4000);

    [Fact] public void Safetensors_reader_keeps_its_contract() => Fuzz("safetensors", 4000);

    [Fact] public void Torch_zip_reader_keeps_its_contract() => Fuzz("torch-zip", 3000);

    [Fact] public void Torch_legacy_reader_keeps_its_contract() => Fuzz("torch-legacy", 3000);

    [Fact] public void Tflite_reader_and_importer_keep_their_contract() => Fuzz("tflite", 1000);

    [Fact] public void Checkpoint_loader_keeps_its_contract() => Fuzz("loader", 600);

    [Fact] public void Onnx_loader_and_step_keep_their_contract() => Fuzz("onnx", 300);

    [Fact] public void Stream_spec_body_keeps_its_contract() => Fuzz("stream-spec", 4000);

    [Fact] public void Pushed_frames_keep_their_contract() => Fuzz("push-frames", 4000);
}

/// <summary>A fuzz target whose unmutated seeds are refused would only ever test its refusals.</summary>
[Trait("Category", "Fuzz")]
public class FuzzSeedTests
{
    [Theory]
    [InlineData("onnx")]
    [InlineData("stream-spec")]
    public void Every_seed_is_read(string name)
    {
        var target = FuzzTargets.Get(name);
        foreach (byte[] seed in target.SeedBytes)
            Assert.Null(ReaderContract.Check(name, seed, target.InputName, target.Read, target.Allowed));
    }
}
