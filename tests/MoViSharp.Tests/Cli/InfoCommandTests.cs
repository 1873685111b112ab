using System.Text.Json;

namespace MoViSharp.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void JsonReportsParametersMultiplyAddsAndState()
    {
        var result = CliRunner.Run("info", "a0", "--variant", "stream", "--classes", "600", "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(3_748_031, root.GetProperty("params").GetInt64());
        Assert.InRange(root.GetProperty("macs_per_frame").GetInt64() / 1e6, 50.5, 50.9);
        Assert.Equal(43, root.GetProperty("state_tensors").GetInt32());
        Assert.InRange(root.GetProperty("state_bytes").GetInt64() / 1e6, 2.6, 2.8);
        Assert.Equal(50 * root.GetProperty("macs_per_frame").GetInt64(), root.GetProperty("macs").GetInt64());
    }

    [Fact]
    public void BaseModelAtAnotherClipSize()
    {
        var result = CliRunner.Run("info", "a2-base", "--frames", "8", "--size", "112", "--classes", "10", "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("state_tensors").GetInt32());
        Assert.Equal(10, json.RootElement.GetProperty("classes").GetInt32());
    }

    [Fact]
    public void UnknownModelFailsWithAClearMessage()
    {
        var result = CliRunner.Run("info", "a9");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Unknown model 'a9'. Known models: ", result.Stderr.Trim());
        Assert.Contains(" a0, a0-base, a0-stream, a1,", result.Stderr);        // families in name order (c3d comes before movinet)
        Assert.Equal("", result.Stdout);
    }
}
