namespace MoViSharp.Onnx.Runtime;

/// <summary>Where ONNX Runtime runs a graph, and why.</summary>
public sealed record OnnxProviderChoice(bool UseCuda, string Reason);

/// <summary>
/// Chooses the execution provider: CUDA only when the loaded ONNX Runtime has it (the GPU build, chosen at build time by
/// build/OnnxRuntime.props), a CUDA device is present, and the caller allows it; the CPU otherwise. Nothing fails where no GPU
/// is: the decision is a pure function of those three facts, and a CUDA provider that still fails to start falls back to the CPU.
/// </summary>
public static class OnnxDevice
{
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>True when the NVIDIA driver reports a device (its /proc entry or a /dev/nvidiaN node).</summary>
    public static bool CudaDevicePresent()
    {
        if (File.Exists("/proc/driver/nvidia/version")) return true;
        try { return Directory.Exists("/dev") && Directory.EnumerateFiles("/dev", "nvidia*").Any(f => char.IsDigit(f[^1])); }
        catch (UnauthorizedAccessException) { return false; }
        catch (IOException) { return false; }
    }

    /// <summary>The providers compiled into the loaded ONNX Runtime.</summary>
    public static IReadOnlyList<string> AvailableProviders() => Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders();

    public static OnnxProviderChoice Choose(IReadOnlyCollection<string> availableProviders, bool devicePresent, bool allowCuda)
    {
        if (!allowCuda) return new(false, "CPU: CUDA not allowed by the caller");
        if (!availableProviders.Contains(CudaProvider)) return new(false, "CPU: this build's ONNX Runtime has no CUDA provider (the CPU package)");
        if (!devicePresent) return new(false, "CPU: the GPU build of ONNX Runtime is loaded but no CUDA device is present");
        return new(true, "CUDA: the GPU build of ONNX Runtime and a CUDA device are present");
    }

    /// <summary>The choice for this process.</summary>
    public static OnnxProviderChoice Choose(bool allowCuda = true) => Choose(AvailableProviders(), CudaDevicePresent(), allowCuda);
}
