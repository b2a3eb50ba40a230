using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using PermitTracker.Domain.Workflow;

namespace PermitTracker.Data.Configurations;

internal sealed class PermitTypeConfiguration : IEntityTypeConfiguration<PermitType>
{
    public void Configure(EntityTypeBuilder<PermitType> builder)
    {
        builder.HasKey(p => p.Code);
        builder.Property(p => p.Code).HasMaxLength(10);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.Property(p => p.Description).HasMaxLength(2000);
        builder.HasMany(p => p.Templates).WithOne().HasForeignKey(t => t.PermitTypeCode);
        builder.Navigation(p => p.Templates).HasField("_templates").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class WorkflowTemplateConfiguration : IEntityTypeConfiguration<WorkflowTemplate>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<WorkflowTemplate> builder)
    {
        builder.HasKey(t => new { t.PermitTypeCode, t.Version });
        // A template is immutable once published, so its step list is one jsonb document.
        builder.Property(t => t.Steps)
            .HasColumnType("jsonb")
            .HasConversion(
                steps => JsonSerializer.Serialize(steps, Json),
                json => JsonSerializer.Deserialize<List<StepDefinition>>(json, Json) ?? new List<StepDefinition>(),
                new ValueComparer<List<StepDefinition>>(
                    (a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                    v => JsonSerializer.Serialize(v, Json).GetHashCode(StringComparison.Ordinal),
                    v => v.ToList()));
    }
}
