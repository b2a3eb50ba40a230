// Namespaces nearly every file of this project uses, said once (the rest stay in the files that need them).
global using Microsoft.EntityFrameworkCore;
global using Microsoft.EntityFrameworkCore.Metadata.Builders;
global using PermitTracker.Domain;
global using PermitTracker.Domain.Jobs;
