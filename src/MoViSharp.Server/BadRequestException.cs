namespace MoViSharp.Server;

/// <summary>A request the server refuses, with the HTTP status to answer and a message saying what was wrong.</summary>
public class BadRequestException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
