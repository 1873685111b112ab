using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using MoViSharp.Classification;
using MoViSharp.Onnx.Export;

namespace MoViSharp.Onnx.Runtime;

/// <summary>
/// The streams' state for one ONNX stream graph, held as ONNX Runtime values bound to the graph once per step (IOBinding): two
/// buffers per plain state (last step's output is this step's input), and n+1 frame buffers per ring of n frames, rotated so
/// that nothing is copied — the new frame is written into the slot of the frame that just left the ring.
/// </summary>
public sealed class OnnxStreamState : IClassifierState
{
    private readonly Slot[] slots;

    internal OnnxStreamState(OnnxGraphSession graph, int batch)
    {
        Graph = graph;
        BatchSize = batch;
        Height = graph.Info.Height;
        Width = graph.Info.Width;
        Frame = OrtTensors.Zeros(TensorElementType.Float,
            graph.Info.InputLayout == "nthwc" ? [batch, 1, Height, Width, 3] : [batch, 3, Height, Width]);
        Logits = OrtTensors.Zeros(TensorElementType.Float, [batch, graph.Info.Classes]);
        slots = graph.Info.States.Select(s => new Slot(s, batch)).ToArray();
        Binding = graph.Session.CreateIoBinding();
        Binding.BindInput(graph.Info.Input, Frame);
        Binding.BindOutput(OnnxModelInfo.LogitsOutput, Logits);
    }

    internal OnnxGraphSession Graph { get; }
    internal OrtValue Frame { get; }
    internal OrtValue Logits { get; }
    internal OrtIoBinding Binding { get; }
    public int BatchSize { get; }
    public int Height { get; }
    public int Width { get; }

    internal IReadOnlyList<Slot> Slots => slots;

    /// <summary>Binds every state's current inputs and the buffers its outputs go to.</summary>
    internal void Bind()
    {
        foreach (var slot in slots) slot.Bind(Binding);
    }

    /// <summary>After a step: the outputs become the next step's inputs.</summary>
    internal void Advance()
    {
        foreach (var slot in slots) slot.Advance();
    }

    public void Dispose()
    {
        Binding.Dispose();
        foreach (var slot in slots) slot.Dispose();
        Frame.Dispose();
        Logits.Dispose();
    }

    /// <summary>The buffers of one state tensor.</summary>
    internal sealed class Slot : IDisposable
    {
        public OnnxStateBinding State { get; }
        public OrtValue[] Buffers { get; }
        /// <summary>Plain: the buffer holding the current value. Ring: the buffer of the oldest past frame.</summary>
        public int Start { get; set; }

        public Slot(OnnxStateBinding state, int batch)
        {
            State = state;
            long[] shape = [batch, .. state.InputShape];
            int count = state.Kind == OnnxStateBinding.RingKind ? state.Frames + 1 : 2;
            var type = OrtTensors.ElementType(state.DType);
            Buffers = Enumerable.Range(0, count).Select(_ => OrtTensors.Zeros(type, shape)).ToArray();
        }

        public bool IsRing => State.Kind == OnnxStateBinding.RingKind;

        /// <summary>Ring: the buffer of past frame <paramref name="j"/> (0 = oldest).</summary>
        public OrtValue Past(int j) => Buffers[(Start + j) % Buffers.Length];

        /// <summary>Plain: the buffer holding the current value.</summary>
        public OrtValue Current => Buffers[Start];

        public void Bind(OrtIoBinding binding)
        {
            if (IsRing)
            {
                for (int j = 0; j < State.Frames; j++) binding.BindInput(State.Inputs[j], Past(j));
                binding.BindOutput(State.Output, Buffers[(Start + State.Frames) % Buffers.Length]);
            }
            else
            {
                binding.BindInput(State.Inputs[0], Buffers[Start]);
                binding.BindOutput(State.Output, Buffers[1 - Start]);
            }
        }

        public void Advance() => Start = IsRing ? (Start + 1) % Buffers.Length : 1 - Start;

        public void Dispose()
        {
            foreach (var b in Buffers) b.Dispose();
        }
    }
}
