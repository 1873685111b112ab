namespace MoViSharp.Server.Streams;

/// <summary>Running: frames flow. Ended: the input finished. Failed: the source broke (see the stream's error); restartable. Stopped: removed.</summary>
public enum StreamStatus { Running, Ended, Failed, Stopped }
