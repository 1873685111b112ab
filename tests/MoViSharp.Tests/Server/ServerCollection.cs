namespace MoViSharp.Tests.Server;

/// <summary>
/// The server tests run one at a time: each starts servers, ffmpeg, Chromium or three silos, and on a small shared machine
/// running them side by side starves the scheduler threads they observe (their waits are timeouts, not speed assertions).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection
{
    public const string Name = "movisharp server";
}
