namespace PermitTracker.Domain.Jobs;

public enum JobState
{
    Open,
    Complete,
    Denied,
    Withdrawn,
}
