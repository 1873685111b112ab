using MoViSharp.Families.MoViNets;
using MoViSharp.Models;
using MoViSharp.Tests.Cli;
using MoViSharp.Tests.Weights.Formats;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights;

/// <summary>The error contract's types, the CLI's handling of them, and the loader's routing of legacy torch.save files.</summary>
public class CheckpointErrorContractTests
{
    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [Fact]
    public void Contract_errors_name_file_and_field_and_prefix_the_file_once()
    {
        var format = new CheckpointFormatException("w.pt", "archive/data.pkl", "archive/data.pkl: stack underflow (at byte 4).");
        Assert.Equal("w.pt: archive/data.pkl: stack underflow (at byte 4).", format.Message);
        Assert.Equal(("w.pt", "archive/data.pkl"), (format.FileName, format.Field));
        Assert.IsAssignableFrom<IOException>(format);

        var named = new CheckpointFormatException("/x/w.bin", "magic", "/x/w.bin is not a weights file MoViSharp reads.");
        Assert.Equal("/x/w.bin is not a weights file MoViSharp reads.", named.Message);

        var unsupported = new CheckpointNotSupportedException("a.npy", "descr", "unsupported descr '<c8'");
        Assert.Equal("a.npy: unsupported descr '<c8'", unsupported.Message);
        Assert.IsAssignableFrom<NotSupportedException>(unsupported);
    }

    [Fact]
    public void The_cli_reports_a_format_error_and_a_not_supported_file_in_one_line_with_exit_code_1()
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("contract").FullName, "out.npy");
        var malformed = CliRunner.Run("predict", "--weights", Fixture("fuzz", "loader", "port_classifier_is_a_scalar.pt"),
            "--config", Fixture("port", "tiny_base_spec.json"), "--input", Fixture("port", "tiny_base_input.npy"), "--output", output);
        Assert.Equal(1, malformed.ExitCode);
        Assert.StartsWith("error: ", malformed.Stderr);
        Assert.Contains("'classifier.3.conv_1.conv3d.weight' has shape []; the classifier kernel needs [classes, hidden, …]", malformed.Stderr);
        Assert.Single(malformed.Stderr.Trim().Split('\n'));

        var scripted = CliRunner.Run("predict", "--weights", Fixture("torch", "torchscript.pt"), "--model", "a0",
            "--input", Fixture("port", "tiny_base_input.npy"), "--output", output);
        Assert.Equal(1, scripted.ExitCode);
        Assert.Equal("error: torchscript.pt: is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead.",
            scripted.Stderr.Trim());
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void The_loader_reads_a_legacy_port_file_into_the_same_model_as_its_zip_twin()
    {
        using var scope = NewDisposeScope();
        var architecture = MoViNetConfigJson.Read(File.ReadAllText(Fixture("port", "tiny_base_spec.json")));
        string zipPath = Fixture("port", "tiny_base_statedict.pt");
        string legacyPath = Path.Combine(Directory.CreateTempSubdirectory("legacy").FullName, "tiny_base_legacy.pt");
        using (var tensors = TorchCheckpointReader.Read(zipPath))
            File.WriteAllBytes(legacyPath, LegacyTorchBytes.FromTensors(tensors));
        Assert.Equal(CheckpointFormat.TorchLegacy, CheckpointFormats.Detect(legacyPath));

        var hints = new CheckpointHints(Architecture: architecture);
        var (fromZip, _) = CheckpointLoader.Load(zipPath, hints);
        var (fromLegacy, _) = CheckpointLoader.Load(legacyPath, hints);
        using (fromZip)
        using (fromLegacy)
        {
            var expected = fromZip.state_dict();
            var actual = fromLegacy.state_dict();
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var (name, tensor) in expected)
            {
                Assert.Equal(tensor.shape, actual[name].shape);
                Assert.True(tensor.eq(actual[name]).all().item<bool>(), name);
            }
        }
    }
}
