using Microsoft.ML.OnnxRuntime;

namespace MoViSharp.Onnx.Runtime;

/// <summary>Creates ONNX Runtime sessions the way every MoViSharp graph runs: all graph optimizations, sequential execution, the chosen threads and provider.</summary>
public static class OnnxSessionFactory
{
    public static InferenceSession Create(byte[] model, OnnxRuntimeOptions options, out OnnxProviderChoice provider)
    {
        provider = OnnxDevice.Choose(options.AllowCuda);
        if (provider.UseCuda)
        {
            try { return new InferenceSession(model, SessionOptions(options, cuda: true)); }
            catch (OnnxRuntimeException e)
            {
                provider = new OnnxProviderChoice(false, $"CPU: the CUDA provider did not start ({e.Message.Split('\n')[0]})");
            }
        }
        return new InferenceSession(model, SessionOptions(options, cuda: false));
    }

    private static SessionOptions SessionOptions(OnnxRuntimeOptions options, bool cuda)
    {
        var s = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(1, options.IntraOpThreads),
            InterOpNumThreads = 1,
        };
        s.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (cuda) s.AppendExecutionProvider_CUDA(0);
        return s;
    }
}
