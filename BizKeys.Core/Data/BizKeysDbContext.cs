using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Members;
using BizKeys.Core.Usage;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Data;

/// <summary>
/// BizKeys' one model over every entity. Each database engine has its own subclass (Sqlite/, Postgres/) so each has
/// its own migrations; services ask for this base type through <c>IDbContextFactory&lt;BizKeysDbContext&gt;</c>.
/// </summary>
public abstract class BizKeysDbContext(DbContextOptions options)
    : IdentityDbContext<BizKeysUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<UsageBucket> UsageBuckets => Set<UsageBucket>();
    public DbSet<KeyFailure> KeyFailures => Set<KeyFailure>();
    public DbSet<KeyRequest> KeyRequests => Set<KeyRequest>();
    public DbSet<Installation> Installations => Set<Installation>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Support.SupportGrant> SupportGrants => Set<Support.SupportGrant>();
    public DbSet<Support.SupportLogEntry> SupportLog => Set<Support.SupportLogEntry>();
    public DbSet<Leaks.LeakNotice> LeakNotices => Set<Leaks.LeakNotice>();
    public DbSet<Notifications.WebhookEndpoint> WebhookEndpoints => Set<Notifications.WebhookEndpoint>();
    public DbSet<Notifications.OutboxMessage> OutboxMessages => Set<Notifications.OutboxMessage>();
    public DbSet<Notifications.WebhookDelivery> WebhookDeliveries => Set<Notifications.WebhookDelivery>();
    public DbSet<Notifications.KeyEventMark> KeyEventMarks => Set<Notifications.KeyEventMark>();
    public DbSet<Notifications.AccountEventMark> AccountEventMarks => Set<Notifications.AccountEventMark>();
    public DbSet<Notifications.EmailSettings> EmailSettings => Set<Notifications.EmailSettings>();
    public DbSet<Mail.OutgoingMail> OutgoingMails => Set<Mail.OutgoingMail>();
    /// <summary>Per-key request budgets shared by every instance (PostgreSQL); one machine counts in memory.</summary>
    public DbSet<Verification.RateWindow> RateWindows => Set<Verification.RateWindow>();
    /// <summary>The ordered log of key changes that every caching process follows.</summary>
    public DbSet<Verification.KeyChangeEntry> KeyChangeLog => Set<Verification.KeyChangeEntry>();
    /// <summary>Sign-in cookie keys shared by every instance (PostgreSQL); one machine keeps them in files.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BizKeysDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime is UTC. SQLite hands them back unspecified; say what they are.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
