namespace MoViSharp.Server.Events;

/// <summary>
/// Turns a stream's running top-1 into label-change events. A new top-1 must hold for <c>hold</c> consecutive predictions
/// before it is logged (one noisy frame is not an event), and predictions inside the classifier's delay after a video starts
/// (the transient of its zero fill) are ignored. Its whole state is <see cref="DetectorState"/>, so a stream moved to another
/// machine continues it exactly and numbers its events the same way.
/// </summary>
public sealed class LabelChangeDetector(int hold, int delay)
{
    public DetectorState State { get; set; } = new(null, -1, 0, 0, 0);

    /// <summary>Marks the start of a new video (the classifier's state restarts).</summary>
    public void StartVideo() => State = State with { Candidate = -1, Count = 0, SinceStart = 0 };

    /// <summary>Feeds one prediction; returns the label index and sequence number of a change it completes, or null.</summary>
    public (int Label, int? Previous, long Seq)? Observe(int top1)
    {
        var s = State with { SinceStart = State.SinceStart + 1 };
        if (s.SinceStart <= delay) { State = s; return null; }
        s = top1 == s.Candidate ? s with { Count = s.Count + 1 } : s with { Candidate = top1, Count = 1 };
        if (s.Count >= hold && s.Candidate != s.Logged)
        {
            var change = (s.Candidate, s.Logged, s.NextSeq);
            State = s with { Logged = s.Candidate, NextSeq = s.NextSeq + 1 };
            return change;
        }
        State = s;
        return null;
    }
}

/// <summary>The label last logged, the candidate top-1 and how long it has held, predictions since the video started, the next event number.</summary>
public sealed record DetectorState(int? Logged, int Candidate, int Count, int SinceStart, long NextSeq);
