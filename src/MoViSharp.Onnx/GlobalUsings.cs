// The message classes generated from Schema/onnx.proto live in the namespace `Onnx`, which this project's own namespace
// (MoViSharp.Onnx) would shadow; one alias names them everywhere.
global using OnnxProto = global::Onnx;
