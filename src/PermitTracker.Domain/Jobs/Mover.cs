namespace PermitTracker.Domain.Jobs;

/// <summary>
/// On whose side of the clock a move's actor is: an agency (its staff, its system, an importer) or the applicant.
/// The applicant's only move is to answer a request for changes (<see cref="StepMoves.ApplicantRefusal"/>).
/// </summary>
public enum Mover
{
    Agency,
    Applicant,
}
