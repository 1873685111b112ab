namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Replays every input the fuzzers ever failed on (Fixtures/fuzz/&lt;reader&gt;/, saved by tools/fuzz/fuzz.sh; TFLite inputs as
/// patches of the shared reference model): each must now keep the contract.
/// </summary>
public class FuzzRegressionTests
{
    private static string Folder(string reader) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", reader);

    public static TheoryData<string, string> SavedInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string reader in FuzzTargets.Names)
            if (Directory.Exists(Folder(reader)))
                foreach (string file in Directory.GetFiles(Folder(reader)).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                    data.Add(reader, Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(SavedInputs))]
    public void Saved_fuzz_input_keeps_the_contract(string reader, string file)
    {
        var target = FuzzTargets.Get(reader);
        byte[] input = target.Load(Path.Combine(Folder(reader), file));
        ReaderContract.Check(reader, input, target.InputName, target.Read, target.Allowed, target.Save);
    }
}
