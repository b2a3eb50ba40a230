using Microsoft.AspNetCore.Identity;
using PermitTracker.Data.Access;

namespace PermitTracker.Data.Configurations;

// ASP.NET Core Identity's tables, renamed from AspNet* to plain snake_case names. Identity's own model
// (keys, indexes, lengths) is applied first by IdentityDbContext.OnModelCreating.

internal sealed class StaffUserConfiguration : IEntityTypeConfiguration<StaffUser>
{
    public void Configure(EntityTypeBuilder<StaffUser> builder)
    {
        builder.ToTable("staff_users");
        builder.HasIndex(u => u.NormalizedUserName).HasDatabaseName("ix_staff_users_normalized_user_name");
        builder.HasIndex(u => u.NormalizedEmail).HasDatabaseName("ix_staff_users_normalized_email");
        builder.Property(u => u.AgencyCode).HasMaxLength(10);
        builder.HasOne<Agency>().WithMany().HasForeignKey(u => u.AgencyCode).OnDelete(DeleteBehavior.Restrict);
        builder.Property(u => u.DisplayName).HasMaxLength(200);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> builder)
    {
        builder.ToTable("roles");
        builder.HasIndex(r => r.NormalizedName).HasDatabaseName("ix_roles_normalized_name");
        // The three staff roles and the applicants' own are part of the schema: every database has them, whoever
        // creates the first account.
        builder.HasData(StaffRoles.All.Append(StaffRoles.Applicant).Select(role => new IdentityRole(role)
        {
            Id = role.ToLowerInvariant(),
            NormalizedName = role.ToUpperInvariant(),
            ConcurrencyStamp = $"{role.ToLowerInvariant()}-role",
        }));
    }
}

internal sealed class UserRoleConfiguration : IEntityTypeConfiguration<IdentityUserRole<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserRole<string>> builder) => builder.ToTable("user_roles");
}

internal sealed class UserClaimConfiguration : IEntityTypeConfiguration<IdentityUserClaim<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserClaim<string>> builder) => builder.ToTable("user_claims");
}

internal sealed class UserLoginConfiguration : IEntityTypeConfiguration<IdentityUserLogin<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserLogin<string>> builder) => builder.ToTable("user_logins");
}

internal sealed class UserTokenConfiguration : IEntityTypeConfiguration<IdentityUserToken<string>>
{
    public void Configure(EntityTypeBuilder<IdentityUserToken<string>> builder) => builder.ToTable("user_tokens");
}

internal sealed class RoleClaimConfiguration : IEntityTypeConfiguration<IdentityRoleClaim<string>>
{
    public void Configure(EntityTypeBuilder<IdentityRoleClaim<string>> builder)
    {
        builder.ToTable("role_claims");
        builder.HasOne<IdentityRole>().WithMany().HasForeignKey(c => c.RoleId).HasConstraintName("fk_role_claims_roles_role_id");
    }
}
