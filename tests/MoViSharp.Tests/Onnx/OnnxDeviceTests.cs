using MoViSharp.Onnx.Runtime;

namespace MoViSharp.Tests.Onnx;

/// <summary>The execution provider is chosen from three facts; on a machine without CUDA nothing asks for it.</summary>
public class OnnxDeviceTests
{
    [Theory]
    [InlineData(new[] { "CPUExecutionProvider" }, true, true, false)]                        // CPU package: never CUDA
    [InlineData(new[] { "CUDAExecutionProvider", "CPUExecutionProvider" }, false, true, false)]  // GPU build, no device
    [InlineData(new[] { "CUDAExecutionProvider", "CPUExecutionProvider" }, true, false, false)]  // caller says no
    [InlineData(new[] { "CUDAExecutionProvider", "CPUExecutionProvider" }, true, true, true)]
    public void CudaOnlyWithTheGpuBuildADeviceAndPermission(string[] providers, bool device, bool allow, bool cuda)
    {
        var choice = OnnxDevice.Choose(providers, device, allow);
        Assert.Equal(cuda, choice.UseCuda);
        Assert.StartsWith(cuda ? "CUDA" : "CPU", choice.Reason);
    }

    [Fact]
    public void ThisProcessRunsOnTheProviderItsBuildAndMachineAllow()
    {
        var providers = OnnxDevice.AvailableProviders();
        Assert.Contains("CPUExecutionProvider", providers);
        var choice = OnnxDevice.Choose();
        Assert.Equal(providers.Contains(OnnxDevice.CudaProvider) && OnnxDevice.CudaDevicePresent(), choice.UseCuda);
    }
}
