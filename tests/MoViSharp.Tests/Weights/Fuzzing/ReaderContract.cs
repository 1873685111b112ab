using System.Security.Cryptography;
using MoViSharp.Weights;
using MoViSharp.Weights.Layouts;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// The oracle every fuzz input is judged by: the reader returns, or throws one of the contract's exceptions; it finishes
/// within <see cref="FuzzSettings.PerInputTimeout"/>; and it allocates (managed) at most a small multiple of the input's size.
/// Anything else saves the input under <see cref="FuzzSettings.SaveFolder"/>/&lt;reader&gt;/ and fails with a message saying why.
/// </summary>
internal static class ReaderContract
{
    /// <summary>Managed bytes a reader may allocate per input byte, beyond <see cref="AllocationAllowance"/>.</summary>
    public const long AllocationPerInputByte = 64;

    /// <summary>Fixed managed allocation any input may cause (the loader builds a model; the importer dequantizes).</summary>
    public const long AllocationAllowance = 256L << 20;

    /// <summary>What readers may throw for any bytes.</summary>
    public static bool IsReaderError(Exception e) => e is CheckpointFormatException or CheckpointNotSupportedException;

    /// <summary>What the loader may throw for any bytes: reader errors, or a file that does not fit the model it describes.</summary>
    public static bool IsLoaderError(Exception e) => IsReaderError(e) || e is CheckpointMismatchException;

    /// <summary>Runs <paramref name="read"/> on <paramref name="input"/> and checks the contract; returns the exception the reader threw, if any.</summary>
    /// <param name="save">Turns the input into the bytes of a regression file (a patch for inputs derived from files we may not copy).</param>
    /// <param name="inputName">The name the input is read under; every error message must name it.</param>
    public static Exception? Check(string reader, byte[] input, string inputName, Action<byte[]> read, Func<Exception, bool> allowed,
        Func<byte[], (string Extension, byte[] Bytes)>? save = null)
    {
        Exception? thrown = null;
        long allocated = 0;
        RecordInFlight(reader, input);
        var work = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { read(input); }
            catch (Exception e) { thrown = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!work.Wait(FuzzSettings.PerInputTimeout))
            Fail(reader, input, save, $"hang: no result after {FuzzSettings.PerInputTimeout.TotalSeconds:0} s");
        if (thrown is not null && !allowed(thrown))
            Fail(reader, input, save, $"out-of-contract {thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}");
        // Server request bodies have no file to name (inputName ""); their targets' own check asks for a message instead.
        if (thrown is not null && inputName.Length > 0 && !thrown.Message.Contains(inputName, StringComparison.Ordinal))
            Fail(reader, input, save, $"error that does not name the file '{inputName}': {thrown.Message}");
        long limit = AllocationPerInputByte * input.Length + AllocationAllowance;
        if (allocated > limit)
            Fail(reader, input, save, $"allocated {allocated} managed bytes for a {input.Length}-byte input (limit {limit})");
        return thrown;
    }

    /// <summary>
    /// With <c>MOVISHARP_FUZZ_INFLIGHT</c> set, the input about to be read, one file per fuzzing thread: a native crash kills the
    /// process before <see cref="Fail"/> can save anything, and these files are then the inputs that were being read.
    /// </summary>
    /// The raw bytes, not the regression format: encoding a patch per input would slow the run several times.
    private static void RecordInFlight(string reader, byte[] input)
    {
        if (FuzzSettings.InFlightFolder is not { } folder) return;
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{reader}-thread{Environment.CurrentManagedThreadId}.raw"), input);
    }

    private static void Fail(string reader, byte[] input, Func<byte[], (string Extension, byte[] Bytes)>? save, string why)
    {
        var (extension, bytes) = save?.Invoke(input) ?? (".bin", input);
        string folder = Path.Combine(FuzzSettings.SaveFolder, reader);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant() + extension);
        File.WriteAllBytes(path, bytes);
        throw new FuzzFailure($"{reader}: {why}\nThe input is saved as {path}.");
    }
}

/// <summary>A fuzz input broke the reader contract (the message says how and where the input was saved).</summary>
internal sealed class FuzzFailure(string message) : Exception(message);
