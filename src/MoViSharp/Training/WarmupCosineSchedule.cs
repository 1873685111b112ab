namespace MoViSharp.Training;

/// <summary>
/// Learning rate per optimizer step: linear warm-up from base/warmup to base over <paramref name="WarmupSteps"/> steps, then a cosine
/// decay from base to <paramref name="MinimumRate"/> at <paramref name="TotalSteps"/>.
/// </summary>
public sealed record WarmupCosineSchedule(double BaseRate, int WarmupSteps, int TotalSteps, double MinimumRate = 0)
{
    public double At(int step)
    {
        if (step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return MinimumRate + (BaseRate - MinimumRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
