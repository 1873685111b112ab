namespace MoViSharp.Training;

public enum OptimizerKind
{
    AdamW,
    /// <summary>RMSprop; the official MoViNet recipe uses rho 0.9, momentum 0.9, epsilon 1.0.</summary>
    RmsProp,
}
